"""`AppConnection`: the app's connection state (status bar, offline banner, failures as words).

Everything that keeps `ConnectionState` true lives here: the listings' freshness, the background
link probe (`LinkChanged`), the once-a-second tick, and worker failures (`WorkFailed`), which become
one-line notifications, and an unhandled exception one line on the terminal (`_fatal_error`).
`ComfyTUI` mixes this in; it owns `state`, `session` and `main`.

A mixin of `App` (not of `object`): Textual collects `@on(...)` handlers through the metaclass of
its message pumps, so a handler in a plain mixin would never run.
"""

from __future__ import annotations

import contextlib
import os
from time import monotonic
from typing import TYPE_CHECKING

from textual import on
from textual.app import App

from comfytui.errors import NetworkError
from comfytui.ui.connection import LinkChanged, sync_state
from comfytui.ui.failures import describe, log, summary
from comfytui.ui.messages import WorkFailed
from comfytui.ui.panes import ListingLoaded
from comfytui.ui.widgets.status import ConnectionState

if TYPE_CHECKING:
    from datetime import datetime

    from comfytui.services import Session
    from comfytui.settings import Settings
    from comfytui.ui.screens.main import MainScreen


class AppConnection(App):
    state: ConnectionState
    session: Session | None
    settings: Settings
    exit_message: str | None
    _last_failure: str | None = None
    _last_failure_at = 0.0
    _link_down = False

    if TYPE_CHECKING:

        @property
        def main(self) -> MainScreen: ...

        def now(self) -> datetime: ...

    @on(ListingLoaded)
    def _note_listing(self, message: ListingLoaded) -> None:
        listing = message.listing
        if listing.last_sync and (
            self.state.last_sync is None or listing.last_sync > self.state.last_sync
        ):
            self.state.last_sync = listing.last_sync
        if message.fresh:
            if self.session is not None:  # a demo emulator started since has its own port
                self.state.api_host = self.session.api_host
            self.state.connecting = False
            self.state.offline = bool(listing.offline)
            self.state.last_error = listing.error if listing.offline else None
        self._show_state()

    def on_link_changed(self, message: LinkChanged) -> None:
        """The connection changed; back online: say so and revalidate every pane (no `r`)."""
        was_down, self._link_down = self._link_down, not message.online
        if message.online and was_down:
            self.state.offline, self.state.last_error = False, None
            self.notify(f"back online: {self.state.api_host} answers again", timeout=4)
            if self.session is not None:
                self.main.reload_all(cached=False)
        self._show_state()

    def _tick(self) -> None:
        self._show_state()
        with contextlib.suppress(Exception):  # relative times keep moving; changed cells only
            if self.screen is self.main:
                now = self.now()
                for pane in self.main.panes:
                    pane.tick_times(now)

    def _show_state(self) -> None:
        if not self.is_mounted:
            return
        sync_state(self.state, self.state.link)
        with contextlib.suppress(Exception):
            screen = self.main
            self.state.active_count = screen.runs.active_count  # what the Runs pane shows
            screen.status_bar.show(self.state, self.now())
            screen.offline_banner.show(self.state)

    @property
    def offline(self) -> bool:
        return self.state.offline

    def needs_network(self, what: str) -> bool:
        """True (and a one-line notice) when `what` cannot be done because we are offline."""
        if self.session is None:
            self.notify(f"{what}: still connecting", severity="warning")
            return True
        if self.state.offline:
            said = self.state.describe() or f"cannot reach {self.state.api_host}"
            self.notify(f"{said}: {what} needs the server", severity="warning", markup=False)
            return True
        return False

    # --- failures ------------------------------------------------------------------------------

    def on_work_failed(self, message: WorkFailed) -> None:
        text, severity = describe(message.error)
        now = monotonic()
        if self._last_failure == text and now - self._last_failure_at < 5.0:
            return  # four panes failing for one reason say it once
        self._last_failure, self._last_failure_at = text, now
        if isinstance(message.error, NetworkError):
            self.state.connecting = False
            self.state.offline = True
            self.state.last_error = str(message.error)
            self._show_state()
        self.notify(text, severity=severity, timeout=6)  # type: ignore[arg-type]

    def _fatal_error(self) -> None:
        """An unhandled exception in a handler: the traceback goes to the log, the terminal gets
        one line (Textual would print a traceback with locals). COMFYTUI_DEBUG keeps Textual's."""
        if os.environ.get("COMFYTUI_DEBUG"):
            super()._fatal_error()
            return
        error = self._exception or RuntimeError("unknown error")
        log.error("the app stopped on an unhandled exception", exc_info=error)
        where = self.settings.locations.log_file
        self.exit_message = f"comfytui: {summary(error)} (details in {where})"
        self._close_messages_no_wait()
