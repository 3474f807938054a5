"""The status bar (online/offline, API host, sync age, active runs) and the offline banner.

Both render from `ConnectionState`, which the app updates from pane listings and run updates; the
key is never shown, only the host.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from comfytui.ui.format import ago_str


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


class StatusBar(Static):
    """One line at the bottom: connection, host, last sync, active runs."""

    def show(self, state: ConnectionState, now: datetime) -> None:
        line = Text()
        if state.readonly:
            line.append(" READ-ONLY ", style="bold white on red")
            line.append(" ")
        if state.demo:
            line.append(" demo: local emulator ", style="bold black on yellow")
            line.append(" ")
        if state.connecting:
            line.append("● connecting", style="yellow")
        elif state.offline:
            line.append("● offline", style="bold red")
        else:
            line.append("● online", style="bold green")
        line.append("  ")
        line.append(state.api_host or "—", style="bold")
        line.append("  synced ")
        line.append(ago_str(state.last_sync, now) if state.last_sync else "never")
        active = len(state.active_runs)
        line.append("  ")
        plural = "s" if active != 1 else ""
        line.append(f"{active} active run{plural}", style="cyan" if active else "dim")
        self.update(line)


class OfflineBanner(Static):
    """Shown while the server cannot be reached: cached data stays browsable."""

    def show(self, state: ConnectionState) -> None:
        self.display = state.offline
        if state.offline:
            reason = f" ({state.last_error})" if state.last_error else ""
            self.update(
                Text(
                    f"offline: cannot reach {state.api_host}{reason}. "
                    "Showing cached data; r retries.",
                    style="bold",
                )
            )
