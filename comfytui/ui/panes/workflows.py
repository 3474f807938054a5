"""Workflows pane: name (★ pinned) and last update; the rest is in the detail view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from rich.text import Text

from comfytui.models import Workflow
from comfytui.ui.format import ago, safe
from comfytui.ui.panes.base import Column
from comfytui.ui.panes.catalog import CatalogPane


class WorkflowsPane(CatalogPane[Workflow]):
    KIND = "workflows"
    TITLE = "1 Workflows"
    NOUN = "workflows"
    COLUMNS: ClassVar = (
        Column("name", "Name"),
        Column("updated_at", "Updated", descending=True, ticks=True),
    )

    def cells(self, item: Workflow, now: datetime) -> Sequence[Text]:
        name = safe(item.name, 30)
        if item.pinned:
            name = Text("★ ", style="yellow") + name
        return (name, ago(item.updated_at or item.created_at, now))

    def sort_value(self, item: Workflow, key: str) -> object:
        if key == "updated_at":
            return item.updated_at or item.created_at
        return super().sort_value(item, key)

    def open_item(self, item: Workflow) -> None:
        from comfytui.ui.screens.details import WorkflowScreen

        self.app.push_screen(WorkflowScreen(item.id))
