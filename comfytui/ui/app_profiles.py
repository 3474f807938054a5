"""`AppProfiles`: switch to another account's profile without restarting (`:profile NAME`).

The new session opens first; only when it is open does the app drop the old one (its watcher,
notifier, connection state and runs started here), so a bad profile leaves the current session
working. `ComfyTUI` mixes this in; it owns `settings`, `session` and the session's exit stack.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from textual import work
from textual.app import App

from comfytui.errors import ComfyTuiError
from comfytui.ui.failures import describe
from comfytui.ui.messages import SessionReady
from comfytui.ui.widgets.status import ConnectionState

if TYPE_CHECKING:
    from comfytui.notify import Notifier
    from comfytui.services import Session
    from comfytui.settings import Settings
    from comfytui.ui.runs.watcher import RunWatcher


class AppProfiles(App):
    settings: Settings
    session: Session | None
    state: ConnectionState
    run_watcher: RunWatcher
    started_here: set[str]
    readonly_flag: bool
    _session_stack: contextlib.AsyncExitStack
    _notifier: Notifier | None

    def switch_profile(self, name: str) -> None:
        """Switch to another account's profile without restarting (`:profile NAME`)."""
        from comfytui.settings import load_settings, profile_names

        names = profile_names(self.settings.locations)
        if name not in names:
            self.notify(
                f"no profile {name[:40]!r} in config.toml (profiles: {', '.join(names)})",
                severity="warning",
                markup=False,
            )
            return
        try:
            settings = load_settings(profile=name, readonly=self.readonly_flag or None)
        except ComfyTuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._switch_session(settings)

    @work(exclusive=True, group="session", exit_on_error=False)
    async def _switch_session(self, settings: Settings) -> None:
        from comfytui.services import Session

        stack = contextlib.AsyncExitStack()
        try:
            session = await stack.enter_async_context(Session.open(settings))
        except Exception as exc:  # the current session stays
            await stack.aclose()
            text, _ = describe(exc)
            self.notify(f"cannot switch to profile {settings.profile}: {text}", severity="error")
            return
        self.run_watcher.workers.cancel_node(self.run_watcher)
        self.run_watcher.latest.clear()
        old, self._session_stack = self._session_stack, stack
        self.settings, self.session = settings, session
        self._notifier = None
        self.state = ConnectionState(api_host=session.api_host, demo=session.demo)
        self.started_here.clear()
        with contextlib.suppress(Exception):
            await old.aclose()
        self.notify(f"profile {settings.profile}: {session.api_host}", markup=False)
        self.post_message(SessionReady())
