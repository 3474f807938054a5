"""A run's log: follows while the run runs, replays after; `/` searches, `w` wraps.

Log text is server data: stored as plain strings in a `LogView` (Textual's `Log`: no markup,
only visible lines rendered). Only the last MAX_LINES lines are kept in the view (all of them in
the cache for runs started here); lines arriving fast are written once per FLUSH_EVERY.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from comfytui.errors import ComfyTuiError
from comfytui.models import LogLine
from comfytui.ui.runs.log_view import LogView, WrapWidthChanged
from comfytui.ui.widgets.livetext import set_text

MAX_LINES = 5_000
FLUSH_EVERY = 0.1  # seconds between batched writes
YIELD_EVERY = 50  # lines parsed between two turns of the event loop


class RunLogsScreen(Screen[None]):
    """The Logs tab of a run."""

    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="runs.logs.back"),
        Binding("slash", "search", "Search", id="runs.logs.search"),
        Binding("w", "wrap", "Wrap", id="runs.logs.wrap"),
        Binding("f", "follow", "Follow", id="runs.logs.follow"),
    ]

    def __init__(self, run_id: str, *, max_lines: int = MAX_LINES) -> None:
        super().__init__()
        self.run_id = run_id
        self.lines: deque[LogLine] = deque(maxlen=max_lines)
        self.pending: list[LogLine] = []
        self.query_text = ""
        self.wrap = False
        self.state = "loading"
        self.total = 0

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Logs of run {self.run_id}", style="bold"), id="logs-title")
        yield Static("", id="logs-status")
        yield Input(placeholder="search (enter to apply, empty clears)", id="logs-search")
        yield LogView(max_lines=self.lines.maxlen or MAX_LINES, id="logs-view")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#logs-search", Input).display = False
        self.view.focus()
        self.set_interval(FLUSH_EVERY, self._flush)
        self._status()
        self._follow()

    @property
    def view(self) -> LogView:
        return self.query_one("#logs-view", LogView)

    @work(exclusive=True, group="run-logs", exit_on_error=False)
    async def _follow(self) -> None:
        self.state = "following"
        try:
            async for line in self.tui_session().logs.lines(self.run_id):
                self.add_line(line)
                if len(self.pending) % YIELD_EVERY == 0:
                    # a network chunk can hold hundreds of lines, parsed without an await:
                    # let timers and keys in between
                    await asyncio.sleep(0)
        except ComfyTuiError as exc:
            self.state = str(exc)
        else:
            self.state = "complete"
        self._flush()

    def tui_session(self):  # noqa: ANN201 - the app's services Session
        return self.app.session  # type: ignore[attr-defined]

    def add_line(self, line: LogLine) -> None:
        self.pending.append(line)

    def _flush(self) -> None:
        if not self.pending:
            self._status()
            return
        batch, self.pending = self.pending, []
        self.total += len(batch)
        self.lines.extend(batch)
        if len(batch) > (self.lines.maxlen or 0):
            batch = batch[-(self.lines.maxlen or 0) :]
        self._write([line for line in batch if self._matches(line)])
        self._status()

    def _matches(self, line: LogLine) -> bool:
        return not self.query_text or self.query_text.lower() in line.text.lower()

    def _rewrite(self) -> None:
        view = self.view
        view.wrap = self.wrap
        view.set_query(self.query_text)
        view.replace(line for line in self.lines if self._matches(line))

    def _write(self, lines: list[LogLine]) -> None:
        """One write per batch (a list extend and one refresh), never one per line."""
        self.view.add(lines)

    def on_wrap_width_changed(self, _: WrapWidthChanged) -> None:
        self._rewrite()

    def _status(self) -> None:
        kept = len(self.lines)
        parts = [f"{self.state}", f"{self.total} lines"]
        if kept < self.total:
            parts.append(f"last {kept} kept")
        if self.query_text:
            parts.append(f"search: {self.query_text}")
        parts.append("wrap on" if self.wrap else "wrap off")
        view = self.view
        following = view.auto_scroll and (view.is_vertical_scroll_end or not view.max_scroll_y)
        parts.append("following" if following else "paused (f follows)")
        set_text(self.query_one("#logs-status", Static), Text(" · ".join(parts), style="dim"))

    # --- actions --------------------------------------------------------------------------

    def action_search(self) -> None:
        box = self.query_one("#logs-search", Input)
        box.display = True
        box.focus()

    @on(Input.Submitted, "#logs-search")
    def _searched(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip()
        event.input.display = bool(self.query_text)
        self.view.focus()
        self._rewrite()
        self._status()

    def action_wrap(self) -> None:
        self.wrap = not self.wrap
        self._rewrite()
        self._status()

    def action_follow(self) -> None:
        self.view.auto_scroll = True
        self.view.scroll_end(animate=False)
        self._status()

    def action_back(self) -> None:
        box = self.query_one("#logs-search", Input)
        if box.has_focus:
            box.display = False
            self.view.focus()
            return
        self.dismiss(None)
