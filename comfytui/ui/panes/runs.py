"""Runs pane: created, deployment, status (coloured), progress of active runs, took, id, GPU.

Up to `MEMORY_LIMIT` cached runs are held in memory (sort and filter like the other panes).
Beyond that the pane pages the cache: only the window's runs are loaded
(`cached_run_summaries(limit, offset, search)`), the filter becomes a cache search, and the order
stays newest first. Rows are `RunSummary` (the table's columns only; opening a run loads the full
`Run` by id). Runs update in place from `RunUpdated` (the watcher's messages, full `Run`s,
converted to summaries) without reloading the pane.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message

from comfytui.models import Run, RunSummary
from comfytui.services.filter_words import word_matches
from comfytui.ui.failures import fetch
from comfytui.ui.format import ago, duration, progress, safe, short_id, status
from comfytui.ui.panes.base import Column, ResourcePane
from comfytui.ui.runs.split_bar import seconds_text

COLD_AT = 5  # the optional Cold start column's place: after Took


class RunsPage(Message, bubble=False):
    """A page of runs read from the cache (paged mode)."""

    def __init__(self, start: int, runs: list[RunSummary], total: int, cursor: int) -> None:
        super().__init__()
        self.start = start
        self.runs = runs
        self.total = total
        self.cursor = cursor


def _with_items(listing: Any, items: list[RunSummary]) -> Any:
    if dataclasses.is_dataclass(listing):
        return dataclasses.replace(listing, items=items)
    return listing


class RunsPane(ResourcePane[RunSummary]):
    KIND = "runs"
    TITLE = "4 Runs"
    NOUN = "runs"
    MEMORY_LIMIT: ClassVar[int] = 10_000
    COLUMNS: ClassVar = (
        Column("created_at", "Created", descending=True, ticks=True),
        Column("deployment", "Deployment"),
        Column("status", "Status"),
        Column("progress", "Progress"),
        Column("duration", "Took", descending=True),
        Column("id", "ID"),
        Column("gpu", "GPU"),
    )

    BINDINGS: ClassVar = [
        Binding("R", "rerun", "Rerun", id="runs.rerun"),
        Binding("e", "tweak", "Tweak", id="runs.tweak"),
        Binding("S", "sweep", "Sweep", id="runs.sweep"),
        Binding("C", "toggle_cold_start", "Cold start column", id="runs.cold_start"),
    ]
    COLD_START = Column("cold_start", "Cold start", descending=True)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.deployment_names: dict[str, str] = {}
        self.paged = False
        self.page_start = 0
        self.count = 0
        self._active: int | None = None

    @property
    def active_count(self) -> int | None:
        """Runs in the list that have not ended (None when the list is paged from the cache)."""
        if self.paged:
            return None
        if self._active is None:
            self._active = sum(1 for r in self.items if not r.is_terminal)
        return self._active

    def compose(self) -> ComposeResult:
        if getattr(getattr(self.app, "settings", None), "cold_start_column", False):
            self.COLUMNS = self._with_cold_start()
        yield from super().compose()

    # --- source --------------------------------------------------------------------------------

    async def fetch_cached(self) -> tuple[Any, int | None]:
        # Deployment names come from the Deployments pane's listing (MainScreen hands them
        # over): one cached read of the deployments serves both panes.
        catalog = self.comfy.session.catalog
        total = await catalog.count_cached_runs()
        limit = self.MEMORY_LIMIT if total <= self.MEMORY_LIMIT else self.WINDOW
        return await catalog.cached_run_summaries(limit=limit), total

    async def fetch_fresh(self) -> tuple[Any, int | None]:
        fresh = await self.comfy.session.catalog.refresh_runs()
        # The server lists recent runs; the cache holds them all: show the cache, keep the flags.
        cached, total = await self.fetch_cached()
        return _with_items(fresh, list(cached.items)), total

    def set_items(self, items: list[RunSummary], total: int | None = None) -> None:
        self._active = None
        self.count = len(items) if total is None else total
        self.paged = self.count > len(items)
        self.page_start = 0
        if not self.paged:
            super().set_items(items)
            return
        self.items = self.view = items
        self.query_text = ""
        self.sort_index = 0
        self._paint(0, 0)

    @property
    def total(self) -> int:
        return self.count if self.paged else len(self.view)

    @property
    def paged_search(self) -> bool:
        return self.paged

    def item_at(self, index: int) -> RunSummary | None:
        if not self.paged:
            return super().item_at(index)
        local = index - self.page_start
        return self.items[local] if 0 <= local < len(self.items) else None

    def _window_items(self, start: int) -> list[RunSummary]:
        if not self.paged:
            return super()._window_items(start)
        return self.items[start - self.page_start : start - self.page_start + self.WINDOW]

    def show_window(self, start: int, cursor: int) -> None:
        if self.paged and start != self.page_start:
            self._fetch_page(start, cursor)
        else:
            self._paint(start, cursor)

    @fetch(group="runs-page")
    async def _fetch_page(self, start: int, cursor: int) -> None:
        catalog = self.comfy.session.catalog
        search = self.query_text or None
        total = await catalog.count_cached_runs(search=search)
        listing = await catalog.cached_run_summaries(limit=self.WINDOW, offset=start, search=search)
        self.post_message(RunsPage(start, list(listing.items), total, cursor))

    def on_runs_page(self, message: RunsPage) -> None:
        self.items = self.view = message.runs
        self.page_start = message.start
        self.count = message.total
        self._paint(message.start, message.cursor)

    def _rebuild_view(self, keep_id: str | None = None) -> None:
        if not self.paged:
            super()._rebuild_view(keep_id)
            return
        self.page_start = -1  # force a fetch of the first page with the new search
        self._fetch_page(0, 0)

    def action_cycle_sort(self) -> None:
        if self.paged:
            self.notify(
                f"{self.count:,} runs are paged from the cache newest first; "
                f"sorting needs {self.MEMORY_LIMIT:,} or fewer (filter first)",
            )
            return
        super().action_cycle_sort()

    # --- rows ----------------------------------------------------------------------------------

    def set_deployment_names(self, deployments: list[Any]) -> None:
        """Deployment names for the Deployment column (from the Deployments pane's listing)."""
        names = {d.id: d.name for d in deployments}
        if names != self.deployment_names:
            self.deployment_names = names
            self._haystacks.clear()
            if self.table.row_count:
                self._paint(self.window_start, self.window_start + self.table.cursor_row)

    def deployment_name(self, run: RunSummary) -> str | None:
        if run.deployment_id is None:
            return None
        return self.deployment_names.get(run.deployment_id, run.deployment_id[:8])

    def action_toggle_cold_start(self) -> None:
        """Show or hide the Cold start column (the server's cold_start_duration)."""
        shown = self.COLD_START in self.COLUMNS
        sorted_by = self.COLUMNS[self.sort_index]
        self.COLUMNS = type(self).COLUMNS if shown else self._with_cold_start()
        self.sort_index = self.COLUMNS.index(sorted_by) if sorted_by in self.COLUMNS else 0
        keep = self._selected_id()
        table = self.table
        table.clear(columns=True)
        for column in self.COLUMNS:
            table.add_column(column.label, key=column.key, width=column.width)
        self._rebuild_view(keep_id=keep)
        self.notify("cold start column " + ("hidden" if shown else "shown"), timeout=1.5)

    def _with_cold_start(self) -> tuple[Column, ...]:
        """The columns with Cold start right after Took (visible in a narrow pane)."""
        base = type(self).COLUMNS
        return (*base[:COLD_AT], self.COLD_START, *base[COLD_AT:])

    def cells(self, item: RunSummary, now: datetime) -> Sequence[Text]:
        row = self._cells(item, now)
        if len(self.COLUMNS) > len(row):
            cold = item.cold_start_duration
            cell = Text("—", style="dim") if cold is None else Text(seconds_text(cold))
            row = (*row[:COLD_AT], cell, *row[COLD_AT:])
        return row

    def _cells(self, item: RunSummary, now: datetime) -> tuple[Text, ...]:
        live = item.progress if not item.is_terminal else None
        return (
            ago(item.created_at, now),
            safe(self.deployment_name(item), 18),
            status(item.status),
            progress(live, width=5) if live is not None else Text(""),
            duration(item.started_at or item.created_at, item.ended_at, now),
            short_id(item.id),
            safe(item.gpu, 6),
        )

    def sort_value(self, item: RunSummary, key: str) -> object:
        if key == "deployment":
            return self.deployment_name(item)
        if key == "status":
            return str(item.status)
        if key == "cold_start":
            return item.cold_start_duration
        if key == "duration":
            if item.started_at is None:
                return None
            end = item.ended_at or self.comfy.now()
            return (end - item.started_at).total_seconds()
        return super().sort_value(item, key)

    def haystack(self, item: RunSummary) -> str:
        parts = (item.id, self.deployment_name(item), item.status, item.gpu, item.origin)
        return " ".join(str(p) for p in parts if p).casefold()

    def word_matches(self, item: RunSummary, word: str) -> bool | None:
        # `/txt2img`: runs of that deployment; a status word (`failed`): runs in that status
        return word_matches("runs", item, word, self.deployment_name(item))

    def open_item(self, item: RunSummary) -> None:
        from comfytui.ui.runs import RunScreen

        self.app.push_screen(RunScreen(item.id))

    def _iterate(self, name: str) -> None:
        item = self.selected()
        if item is None:
            self.app.notify("No run selected.", markup=False)
            return
        from comfytui.ui.runs import iterate

        self.app.run_worker(getattr(iterate, name)(self.app, item.id), exit_on_error=False)

    def action_rerun(self) -> None:
        self._iterate("rerun")

    def action_tweak(self) -> None:
        self._iterate("tweak")

    def action_sweep(self) -> None:
        self._iterate("open_sweep")

    def upsert_run(self, run: Run | RunSummary) -> None:
        """A run changed or appeared: update its row in place, or put a new run on top."""
        if isinstance(run, Run):
            run = RunSummary.from_run(run)
        self._active = None
        if any(r.id == run.id for r in self.items):
            self.update_item(run)
        elif self.paged:
            self.count += 1
            if self.page_start == 0:
                self.items = self.view = [run, *self.items]
                self._paint(0, self.window_start + self.table.cursor_row + 1)
        else:
            self.set_items([run, *self.items])
