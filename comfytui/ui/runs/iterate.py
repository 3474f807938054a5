"""Iterate from a run: `R` runs it again with its inputs (after a confirm naming the
deployment), `e` opens the run form pre-filled with them (tweak), `S` opens its sweep."""

from __future__ import annotations

from typing import Any

from textual.app import App

from comfytui.errors import ComfyTuiError
from comfytui.models import Deployment, Run
from comfytui.sanitize import plain
from comfytui.ui.messages import RunStarted


async def _source(
    app: App[Any], run_id: str
) -> tuple[Run, Deployment, dict[str, Any], list[str]] | None:
    """The run, its deployment, the inputs it still takes and those it no longer takes."""
    session = app.session  # type: ignore[attr-defined]
    try:
        run = await session.catalog.get_run(run_id)
        deployment = await session.sweeps.deployment_of(run)
    except ComfyTuiError as exc:
        app.notify(str(exc), severity="error", markup=False)
        return None
    return (run, deployment, *split_inputs(run, deployment))


def split_inputs(run: Run, deployment: Deployment) -> tuple[dict[str, Any], list[str]]:
    """The run's inputs the deployment still takes, and the names it no longer takes."""
    known = {s.input_id for s in deployment.inputs}
    if not known:
        return dict(run.inputs), []
    kept = {k: v for k, v in run.inputs.items() if k in known}
    return kept, sorted(k for k in run.inputs if k not in known)


async def rerun(app: App[Any], run_id: str) -> None:
    from comfytui.ui.runs.confirm import ConfirmScreen
    from comfytui.ui.runs.view import RunScreen

    source = await _source(app, run_id)
    if source is None:
        return
    run, deployment, inputs, gone = source
    question = (
        f"Run {plain(deployment.name, 60)} ({deployment.environment}) again with the "
        f"{len(inputs)} inputs of run {run.id[:8]}?"
    )
    if gone:
        question += f"\nNo longer taken (left out): {', '.join(plain(g, 30) for g in gone)}"
    if not await app.push_screen_wait(ConfirmScreen(question, yes="Run again")):
        return
    try:
        new = await app.session.runs.start(deployment, inputs)  # type: ignore[attr-defined]
    except ComfyTuiError as exc:
        app.notify(f"Not started: {exc}", severity="error", markup=False)
        return
    app.post_message(RunStarted(new))
    watcher = getattr(app, "run_watcher", None)
    if watcher is not None:
        watcher.watch(new.id)
    app.push_screen(RunScreen(new.id, run=new, deployment_name=deployment.name))


async def tweak(app: App[Any], run_id: str) -> None:
    from comfytui.ui.runs.form import RunFormScreen

    source = await _source(app, run_id)
    if source is None:
        return
    run, deployment, inputs, gone = source
    note = f"Filled from run {run.id[:8]}."
    if gone:
        note += (
            f" The deployment changed since: it no longer takes {', '.join(gone)}; "
            "new inputs are at their defaults."
        )
    app.push_screen(RunFormScreen(deployment, prefill=inputs, prefill_note=note))


async def open_sweep(app: App[Any], run_id: str) -> None:
    from comfytui.ui.runs.sweep_view import SweepScreen

    planned = await app.session.cache.planned_for_run(run_id)  # type: ignore[attr-defined]
    if planned is None:
        app.notify("This run is not part of a sweep.", markup=False)
        return
    app.push_screen(SweepScreen(planned.sweep_id))
