"""The status bar (online/offline, API host, sync age, active runs) and the offline banner.

Both render from `ConnectionState`, which the app updates from the session's `Connectivity`
(`link`: what went wrong and when the next background try is), pane listings and run updates;
the key is never shown, only the host. The status bar fits its width: labels shorten in steps
(`LEVELS`), never cut mid-word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from comfytui.ui.format import ago_str
from comfytui.ui.widgets.livetext import set_text


@dataclass
class ConnectionState:
    api_host: str = ""
    demo: bool = False
    readonly: bool = False
    offline: bool = False
    connecting: bool = True
    last_sync: datetime | None = None
    last_error: str | None = None
    active_runs: set[str] = field(default_factory=set)
    link: Any = None  # the session's `Connectivity` (None before the session opens)
    active_count: int | None = None  # active runs as the Runs pane shows them (None: unknown)

    @property
    def active(self) -> int:
        return len(self.active_runs) if self.active_count is None else self.active_count

    @property
    def problem(self) -> str:
        """`offline`, `server error`, `rate limited`, ... (empty when online)."""
        if not self.offline:
            return ""
        link = self.link
        return link.word if link is not None and link.offline else "offline"

    def retry_in(self) -> float | None:
        link = self.link
        return link.retry_in() if link is not None and link.offline else None

    def describe(self) -> str:
        """`cannot reach HOST, retrying in 4 s` or the last error (empty when online)."""
        link = self.link
        if link is not None and link.offline:
            return link.describe()
        return self.last_error or ""


#: how much each part says, from the widest form down to what still fits 80 columns
LEVELS = (
    {"demo": " demo: local emulator ", "ro": " READ-ONLY ", "synced": "synced ", "runs": "long"},
    {"demo": " demo ", "ro": " READ-ONLY ", "synced": "synced ", "runs": "short"},
    {"demo": " demo ", "ro": " RO ", "synced": "", "runs": "short"},
    {"demo": " demo ", "ro": " RO ", "synced": None, "runs": "short"},
    {"demo": " demo ", "ro": " RO ", "synced": None, "runs": "short", "host": False},
)


def status_line(state: ConnectionState, now: datetime, level: int = 0) -> Text:
    """The status bar's text at one `LEVELS` step (0 = every label in full)."""
    words = LEVELS[min(level, len(LEVELS) - 1)]
    line = Text()
    if state.readonly:
        line.append(words["ro"], style="bold white on red")
        line.append(" ")
    if state.demo:
        line.append(words["demo"], style="bold black on yellow")
        line.append(" ")
    if state.connecting:
        line.append("● connecting", style="yellow")
    elif state.offline:
        line.append(f"● {state.problem}", style="bold red")
        wait = state.retry_in()
        if wait is not None:
            line.append(f", retrying in {max(round(wait), 0)} s", style="red")
    else:
        line.append("● online", style="bold green")
    if words.get("host", True):
        line.append("  ")
        line.append(state.api_host or "—", style="bold")
    if words["synced"] is not None:
        line.append(f"  {words['synced']}")
        # minutes, not seconds: "synced 34 s ago" would repaint the whole line every second
        synced = ago_str(state.last_sync, now, seconds_shown=False) if state.last_sync else None
        line.append(synced or "never")
    active = state.active
    line.append("  ")
    if words["runs"] == "long":
        label = f"{active} active run{'s' if active != 1 else ''}"
    else:
        label = f"{active} active"
    line.append(label, style="cyan" if active else "dim")
    return line


def fitted_line(state: ConnectionState, now: datetime, width: int) -> Text:
    """The widest `status_line` that fits `width` cells (the narrowest when none does)."""
    line = Text()
    for level in range(len(LEVELS)):
        line = status_line(state, now, level)
        if width <= 0 or cell_len(line.plain) <= width:
            break
    return line


class StatusBar(Static):
    """One line at the bottom: connection, host, last sync, active runs."""

    def show(self, state: ConnectionState, now: datetime) -> None:
        width = self.content_size.width if self.is_mounted else 0
        if width <= 0 and self.is_attached:
            width = self.app.size.width
        set_text(self, fitted_line(state, now, width))  # repainted only when it changed

    def on_resize(self) -> None:
        refresh = getattr(self.app, "_show_state", None)
        if refresh is not None:
            refresh()


class OfflineBanner(Static):
    """Shown while the server cannot be used: what went wrong, the next try, cached data."""

    def show(self, state: ConnectionState) -> None:
        if self.display != state.offline:
            self.display = state.offline
        if state.offline:
            said = state.describe() or f"cannot reach {state.api_host}"
            lead = "offline: " if state.problem == "offline" and "offline" not in said else ""
            text = f"{lead}{said}. Showing cached data; r retries now."
            set_text(self, Text(text, style="bold"))
