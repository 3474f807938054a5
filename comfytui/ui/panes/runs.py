"""Runs pane: deployment, status (coloured), progress of active runs, GPU, age, duration, id.

Runs update in place from `RunUpdated` (the watcher's messages) without reloading the pane.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text

from comfytui.models import Run
from comfytui.ui.format import ago, duration, progress, safe, short_id, status
from comfytui.ui.panes.base import Column, ResourcePane


class RunsPane(ResourcePane[Run]):
    KIND = "runs"
    TITLE = "4 Runs"
    NOUN = "runs"
    COLUMNS: ClassVar = (
        Column("created_at", "Created", descending=True),
        Column("deployment", "Deployment"),
        Column("status", "Status"),
        Column("progress", "Progress"),
        Column("duration", "Took", descending=True),
        Column("gpu", "GPU"),
        Column("id", "ID"),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.deployment_names: dict[str, str] = {}

    async def fetch_cached(self) -> Any:
        catalog = self.comfy.session.catalog
        deployments = await catalog.cached_deployments()
        self.deployment_names = {d.id: d.name for d in deployments.items}
        return await catalog.cached_runs()

    async def fetch_fresh(self) -> Any:
        return await self.comfy.session.catalog.refresh_runs()

    def deployment_name(self, run: Run) -> str | None:
        if run.deployment_id is None:
            return None
        return self.deployment_names.get(run.deployment_id, run.deployment_id[:8])

    def cells(self, item: Run, now: datetime) -> Sequence[Text]:
        active = not item.is_terminal
        live = item.progress if active else None
        return (
            ago(item.created_at, now),
            safe(self.deployment_name(item), 24),
            status(item.status),
            progress(live) if live is not None else Text(""),
            duration(item.started_at or item.created_at, item.ended_at, now),
            safe(item.gpu, 8),
            short_id(item.id),
        )

    def sort_value(self, item: Run, key: str) -> object:
        if key == "deployment":
            return self.deployment_name(item)
        if key == "status":
            return str(item.status)
        if key == "duration":
            if item.started_at is None:
                return None
            end = item.ended_at or self.comfy.now()
            return (end - item.started_at).total_seconds()
        return super().sort_value(item, key)

    def haystack(self, item: Run) -> str:
        parts = (item.id, self.deployment_name(item), item.status, item.gpu, item.origin)
        return " ".join(str(p) for p in parts if p).casefold()

    def open_item(self, item: Run) -> None:
        from comfytui.ui.runs import RunScreen

        self.app.push_screen(RunScreen(item.id))

    def upsert_run(self, run: Run) -> None:
        """A run changed or appeared: update its row in place, or put a new run on top."""
        if any(r.id == run.id for r in self.items):
            self.update_item(run)
        else:
            self.set_items([run, *self.items])
