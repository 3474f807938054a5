"""A run's log: follows while the run runs, replays after; `/` searches, `w` wraps.

Log text is server data: stored as plain strings in a `LogView` (Textual's `Log`: no markup,
only visible lines rendered). Only the last MAX_LINES lines are kept in the view (all of them in
the cache for runs started here); lines arriving fast are written once per FLUSH_EVERY.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
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
DEDUPE_KEYS = 2_000


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
        self.note = ""  # where the lines come from when not the server ("replayed from the cache")
        self._unsubscribe: Callable[[], None] | None = None
        # (timestamp, text) of recent lines per source: a line both the log route and the run
        # stream's log_update bring is shown once
        self._from_route: dict[tuple[object, str], bool] = {}
        self._from_stream: dict[tuple[object, str], bool] = {}

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
        logs = getattr(self.tui_session(), "logs", None)
        if logs is not None and hasattr(logs, "subscribe"):
            self._unsubscribe = logs.subscribe(self.run_id, self._published)
        self._follow()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _published(self, lines: list[LogLine]) -> None:
        """Lines of the run stream's `log_update` events: shown unless the log route already
        brought them (the same line from both sources is shown once)."""
        for line in lines:
            key = (line.timestamp, line.text)
            if self._from_route.pop(key, False) is False:
                self._remember(self._from_stream, key)
                self.pending.append(line)

    @staticmethod
    def _remember(seen: dict[tuple[object, str], bool], key: tuple[object, str]) -> None:
        seen[key] = True
        if len(seen) > DEDUPE_KEYS:
            del seen[next(iter(seen))]

    @property
    def view(self) -> LogView:
        return self.query_one("#logs-view", LogView)

    @work(exclusive=True, group="run-logs", exit_on_error=False)
    async def _follow(self) -> None:
        self.state = "following"
        try:
            lines = self.tui_session().logs.lines(self.run_id, on_note=self._note)
            async for line in lines:
                key = (line.timestamp, line.text)
                if self._from_stream and self._from_stream.pop(key, False):
                    continue  # the run stream brought it already
                self._remember(self._from_route, key)
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

    def _note(self, text: str) -> None:
        self.note = text
        self._status()

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
        if self.note:
            parts.insert(1, self.note)
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
