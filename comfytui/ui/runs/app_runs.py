"""`AppRuns`: the app's side of runs: start one (`n`), follow them, say when they end.

Run messages from anywhere (`RunStarted` from a form or `:run`, `RunUpdated` from the watcher)
arrive here and update the Runs pane and the status bar; runs left by a killed comfytui are
resumed once the cached rows are painted; runs started here ring the bell / notify when they end
unseen (`notify`, `bell` settings). `ComfyTUI` mixes this in.

A mixin of `App` (not of `object`): Textual collects handlers and workers through the metaclass
of its message pumps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App

from comfytui.notify import Notifier
from comfytui.ui.messages import RunStarted, RunUpdated

if TYPE_CHECKING:
    from comfytui.services import Session
    from comfytui.settings import Settings
    from comfytui.ui.panes.runs import RunsPane
    from comfytui.ui.runs.watcher import RunWatcher
    from comfytui.ui.screens.main import MainScreen
    from comfytui.ui.widgets.status import ConnectionState


class AppRuns(App):
    settings: Settings
    session: Session | None
    state: ConnectionState
    run_watcher: RunWatcher
    started_here: set[str]  # runs queued from this app (notifications)
    _notifier: Notifier | None = None

    if TYPE_CHECKING:

        @property
        def main(self) -> MainScreen: ...

        def _runs_pane(self) -> RunsPane | None: ...

        def _show_state(self) -> None: ...

        def needs_network(self, what: str) -> bool: ...

    def on_run_updated(self, message: RunUpdated) -> None:
        run = message.run
        if run.is_terminal:
            self.state.active_runs.discard(run.id)
        else:
            self.state.active_runs.add(run.id)
        if (pane := self._runs_pane()) is not None:
            pane.upsert_run(run)
        self._show_state()

    def on_run_started(self, message: RunStarted) -> None:
        run = message.run
        self.started_here.add(run.id)
        self.state.active_runs.add(run.id)
        if (pane := self._runs_pane()) is not None:
            pane.upsert_run(run)
        self.run_watcher.announce(run)  # the one app-level event: open screens show it now
        self._show_state()

    def action_start_run(self) -> None:
        """`n`: a run for the focused item's deployment (a choice or a picker when unclear)."""
        if self.needs_network("starting a run"):
            return
        from comfytui.ui.focus import focused_item
        from comfytui.ui.runs.newrun import start_run_for

        self.run_worker(
            start_run_for(self, focused_item(self)),
            group="new-run",
            exclusive=True,
            exit_on_error=False,
        )

    @work(group="resume", exit_on_error=False)
    async def _resume_runs(self) -> None:
        await self.main.first_paint.wait()  # the cached rows first, then the network
        self._recover_sweeps()
        await self.run_watcher.resume()

    @work(group="sweep-recover", exit_on_error=False)
    async def _recover_sweeps(self) -> None:
        """What a killed comfytui left: lost answers looked up, planned runs sent (issue 16)."""
        sweeps = getattr(self.session, "sweeps", None)
        if sweeps is None:
            return
        for sweep in await sweeps.recover():
            for p in await sweeps.planned(sweep.id):
                if p.run_id:
                    self.run_watcher.watch(p.run_id)
            what = "a run" if sweep.kind == "single" else f"sweep {sweep.id[:8]}"
            self.notify(f"Resumed {what} left by an interrupted comfytui.")

    # --- notifications -------------------------------------------------------------------------

    @property
    def notifier(self) -> Notifier:
        if self._notifier is None:
            self._notifier = Notifier(
                mode=self.settings.notify, bell=self.settings.bell, write=self._write_terminal
            )
        return self._notifier

    def _write_terminal(self, text: str) -> None:
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write(text)
            driver.flush()

    def alert_run_ended(self, run: Any, text: str) -> None:
        """A run ended unseen (another screen, or the terminal unfocused): bell and desktop
        notification for the runs started from here (`notify`, `bell` settings)."""
        if run.id in self.started_here:
            self.notifier.run_ended("comfytui", text)
