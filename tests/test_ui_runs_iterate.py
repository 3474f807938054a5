"""Rerun (`R`), tweak (`e`) and sweeps in the TUI, against the emulator."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs import RunFormScreen, RunScreen
from comfytui.ui.runs.confirm import ConfirmScreen
from comfytui.ui.runs.sweep_view import SweepScreen
from tests.support_ui import open_run_form
from tests.support_ui import poll_until as wait_until

QUEUE = "/api/run/deployment/queue"


def settings(emulator):
    from tests.support_ui import settings_for

    return settings_for(emulator)


def production_id(emulator, name: str = "txt2img") -> str:
    names = {w["id"]: w["name"] for w in emulator.state.workflows.values()}
    return next(
        d["id"]
        for d in emulator.state.deployments.values()
        if names.get(d["workflow_id"]) == name and d["environment"] == "production"
    )


def posts(emulator) -> int:
    return sum(1 for r in emulator.requests() if r["method"] == "POST" and r["path"] == QUEUE)


async def open_run(pilot, app, run_id: str) -> RunScreen:
    await wait_until(pilot, lambda: app.session is not None)
    app.push_screen(RunScreen(run_id))
    await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.run)
    return app.screen  # type: ignore[return-value]


async def test_rerun_asks_naming_the_deployment_then_sends_the_same_inputs(emulator):
    old = emulator.state.create_run(production_id(emulator), {"prompt": "a red fox", "steps": 7})
    app = ComfyTUI(settings(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, app, old.id)
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "txt2img (production)" in app.screen.question
        await pilot.press("n")
        await pilot.pause(0.2)
        assert posts(emulator) == 0  # declined: nothing sent
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(
            pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.run_id != old.id
        )
        new = emulator.state.runs[app.screen.run_id]
        assert new.inputs == old.inputs and posts(emulator) == 1


async def test_tweak_prefills_the_form_and_notes_a_changed_deployment(emulator):
    old = emulator.state.create_run(
        production_id(emulator), {"prompt": "an owl", "steps": 9, "strength": 0.5}
    )
    app = ComfyTUI(settings(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, app, old.id)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, RunFormScreen))
        form = app.screen
        await wait_until(pilot, lambda: bool(form.fields))
        fields = {f.spec.input_id: f for f in form.fields}
        assert fields["prompt"].raw() == "an owl" and fields["steps"].raw() == "9"
        assert fields["cfg"].raw() == "7"  # not in the old run: its default, as typed
        notice = str(form.query_one("#form-notice", Static).render())
        assert "no longer takes strength" in notice
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
        new = emulator.state.runs[app.screen.run_id]
        assert new.inputs["prompt"] == "an owl" and new.inputs["steps"] == 9
        assert "strength" not in new.inputs


async def test_form_range_shows_the_count_and_starts_a_sweep_view(emulator):
    app = ComfyTUI(settings(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_run_form(pilot, app)
        steps = next(f for f in form.fields if f.spec.input_id == "steps")
        assert isinstance(steps.editor, Input)
        steps.editor.value = "1..4"
        cfg = next(f for f in form.fields if f.spec.input_id == "cfg")
        cfg.editor.value = "5,7"
        await wait_until(pilot, lambda: "8 runs" in str(form.query_one("#form-runs").render()))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "8 runs" in app.screen.question
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, SweepScreen))
        table = app.screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 8 and posts(emulator) == 8)
        view = app.screen
        # the table reloads every REFRESH: `enter` needs the first row's run id on screen (a row
        # still without one says so and opens nothing)
        await wait_until(pilot, lambda: bool(view.planned) and bool(view.planned[0].run_id))
        sweep = app.screen.sweep
        assert sweep is not None and sweep.varying == ("steps", "cfg")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
