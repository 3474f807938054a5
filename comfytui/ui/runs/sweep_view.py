"""Sweep view: one row per planned run (its varying values, state, status, progress).

Read from the cache twice a second (the run watcher writes every change through), so it shows
what the sending and the watching have recorded. `enter` opens a run, `c` cancels the sweep.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from comfytui.errors import ComfyTuiError
from comfytui.models import ItemRef, PlannedRun, PlannedState, Run, Sweep
from comfytui.sanitize import plain
from comfytui.ui.failures import ReportsFailures
from comfytui.ui.format import progress, safe, short_id, status

REFRESH = 0.5


class SweepScreen(ReportsFailures, Screen[None]):
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="sweep.back"),
        Binding("c", "cancel_sweep", "Cancel sweep", id="sweep.cancel"),
    ]

    def __init__(self, sweep_id: str) -> None:
        super().__init__()
        self.sweep_id = sweep_id
        self.planned: list[PlannedRun] = []
        self.sweep: Sweep | None = None
        self._columns: tuple[str, ...] | None = None

    def focus_target(self) -> ItemRef | None:
        """The sweep's deployment, for actions on the focused item (`n`; ui/focus.py)."""
        return None if self.sweep is None else ItemRef("deployment", self.sweep.deployment_id)

    def compose(self) -> ComposeResult:
        yield Static(Text("Sweep", style="bold"), id="sweep-title")
        yield DataTable(id="sweep-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sweep-notice")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._reload()
        self.set_interval(REFRESH, self._reload)

    @work(exclusive=True, group="sweep-view", exit_on_error=False)
    async def _reload(self) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        sweep = await session.sweeps.get(self.sweep_id)
        planned = await session.sweeps.planned(sweep.id)
        runs = await session.sweeps.runs(sweep.id)
        self._show(sweep, planned, runs)

    def _show(self, sweep: Sweep, planned: list[PlannedRun], runs: dict[str, Run]) -> None:
        self.sweep, self.planned = sweep, planned
        counts: dict[str, int] = {}
        for p in planned:
            run = runs.get(p.run_id or "")
            key = run.status.value if run is not None else p.state.value
            counts[key] = counts.get(key, 0) + 1
        title = Text("Sweep ", style="bold")
        title.append(plain(sweep.deployment_name, 60), style="bold")
        state = {"active": "sending", "done": "all sent"}.get(sweep.state, sweep.state)
        title.append(f"  {sweep.id[:8]} · {sweep.total} runs · {state}  ", style="dim")
        title.append(" · ".join(f"{v} {k}" for k, v in sorted(counts.items())))
        self.query_one("#sweep-title", Static).update(title)
        table = self.query_one(DataTable)
        if self._columns != sweep.varying:
            table.clear(columns=True)
            table.add_columns("#", *sweep.varying, "Status", "Progress", "Run")
            self._columns = sweep.varying
        cursor = table.cursor_row
        table.clear()
        for p in planned:
            run = runs.get(p.run_id or "")
            if run is not None:
                shown = status(run.status.value)
            else:
                shown = Text(
                    p.state.value, style="yellow" if p.state is PlannedState.UNKNOWN else ""
                )
            table.add_row(
                Text(str(p.index + 1)),
                *(safe(p.varying.get(name), 40) for name in sweep.varying),
                shown,
                progress(run.progress if run is not None and not run.is_terminal else None),
                short_id(p.run_id),
                key=str(p.index),
            )
        if planned:
            table.move_cursor(row=min(max(cursor, 0), len(planned) - 1))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        index = int(event.row_key.value or 0)
        planned = next((p for p in self.planned if p.index == index), None)
        if planned is None or not planned.run_id:
            self.query_one("#sweep-notice", Static).update(
                Text(f"Run {index + 1} has no run id ({planned.state.value if planned else '?'}).")
            )
            return
        from comfytui.ui.runs.view import RunScreen

        self.app.push_screen(
            RunScreen(
                planned.run_id, deployment_name=self.sweep.deployment_name if self.sweep else None
            )
        )

    def action_back(self) -> None:
        self.dismiss(None)

    def action_cancel_sweep(self) -> None:
        self._cancel()

    @work(exclusive=True, group="sweep-cancel", exit_on_error=False)
    async def _cancel(self) -> None:
        from comfytui.ui.runs.confirm import ConfirmScreen

        total = self.sweep.total if self.sweep else 0
        question = (
            f"Cancel this sweep of {total} runs? Queued and running runs are cancelled; "
            "the rest is not sent."
        )
        if not await self.app.push_screen_wait(
            ConfirmScreen(question, yes="Cancel sweep", no="Keep")
        ):
            return
        try:
            await self.app.session.sweeps.cancel(self.sweep_id)  # type: ignore[attr-defined]
        except ComfyTuiError as exc:
            self.query_one("#sweep-notice", Static).update(Text(f"✗ {exc}"))
            return
        self.query_one("#sweep-notice", Static).update(Text("Sweep cancelled."))
        self._reload()


def start_sweep_worker(app: Any, deployment: Any, plan: Any) -> None:
    """Create the sweep, open its view, send in the background, watch each run queued."""

    async def go() -> None:
        session = app.session
        try:
            sweep = await session.sweeps.create(deployment, plan)
        except ComfyTuiError as exc:
            app.notify(f"Sweep not started: {exc}", severity="error", markup=False)
            return
        app.switch_screen(SweepScreen(sweep.id))
        watcher = getattr(app, "run_watcher", None)

        announced: set[str] = set()

        def changed(p: PlannedRun) -> None:
            if p.run_id and p.run_id not in announced:  # every pane shows it at once
                from comfytui.services.sweeps import queued_run
                from comfytui.ui.messages import RunStarted

                announced.add(p.run_id)
                app.post_message(RunStarted(queued_run(deployment, p.run_id, p.inputs)))
            elif p.run_id and watcher is not None:
                watcher.watch(p.run_id)

        try:
            await session.sweeps.send(sweep.id, on_change=changed)
        except ComfyTuiError as exc:
            app.notify(f"Sweep {sweep.id[:8]}: {exc}", severity="error", markup=False)

    app.run_worker(go(), exit_on_error=False, group="sweep-send")
