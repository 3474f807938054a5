"""Deployments pane: name, environment, machine, GPU, last update, version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from rich.text import Text

from comfytui.models import Deployment
from comfytui.services.filter_words import word_matches
from comfytui.ui.format import ago, safe
from comfytui.ui.panes.base import Column
from comfytui.ui.panes.catalog import CatalogPane

ENV_STYLES = {"production": "bold green", "staging": "yellow", "preview": "magenta"}


class DeploymentsPane(CatalogPane[Deployment]):
    KIND = "deployments"
    TITLE = "2 Deployments"
    NOUN = "deployments"
    COLUMNS: ClassVar = (
        Column("name", "Name"),
        Column("environment", "Env"),
        Column("machine_name", "Machine"),
        Column("gpu", "GPU"),
        Column("updated_at", "Updated", descending=True, ticks=True),
        Column("version", "Ver", descending=True),
    )

    def cells(self, item: Deployment, now: datetime) -> Sequence[Text]:
        env = safe(item.environment, 10)
        env.stylize(ENV_STYLES.get(item.environment, ""))
        return (
            safe(item.name, 24),
            env,
            safe(item.machine_name or item.machine_id, 16),
            safe(item.gpu, 6),
            ago(item.updated_at or item.created_at, now),
            Text(f"v{item.version}") if item.version is not None else safe(None),
        )

    def word_matches(self, item: Deployment, word: str) -> bool | None:
        return word_matches("deployments", item, word)  # `@staging`, `/txt2img`

    def open_item(self, item: Deployment) -> None:
        from comfytui.ui.screens.details import DeploymentScreen

        self.app.push_screen(DeploymentScreen(item.id))
