"""Self-hosted server (no listings, no deployment lookup): a deployment opened by id shows what
can be known, `n` runs it from the TUI, and the run is listed from the cache (issue 14)."""

from __future__ import annotations

from textual.widgets import TextArea

from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs import RunFormScreen, RunScreen
from comfytui.ui.runs.free_inputs import FreeInputs
from comfytui.ui.screens.details import DeploymentScreen
from comfytui.ui.screens.prompt import OpenByIdScreen
from tests.support_ui import FIXED_NOW, poll_until, settings_for

SIZE = (120, 40)


async def _open_deployment(pilot, app: ComfyTUI, deployment_id: str) -> DeploymentScreen:
    await pilot.press("o")
    await poll_until(pilot, lambda: isinstance(app.screen, OpenByIdScreen))
    await pilot.click("#kind-deployment")
    app.screen.query_one("#open-id").focus()
    await pilot.press(*deployment_id, "enter")
    await poll_until(
        pilot, lambda: isinstance(app.screen, DeploymentScreen) and app.screen.detail is not None
    )
    return app.screen  # type: ignore[return-value]


def _texts(screen) -> str:
    return "\n".join(str(s.render()) for s in screen.query(".detail-note, .detail-section"))


async def test_selfhost_open_by_id_then_n_runs_it_and_lists_it_from_the_cache(emulator_factory):
    emu = emulator_factory(dialect="selfhost")
    dep_id = next(
        d_id
        for d_id, d in emu.state.deployments.items()
        if d["environment"] == "production"
        and emu.state.workflows[d["workflow_id"]]["name"] == "txt2img"
    )
    app = ComfyTUI(settings_for(emu), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.main.deployments
        await poll_until(pilot, lambda: app.session is not None and pane.revalidated)
        screen = await _open_deployment(pilot, app, dep_id)
        # nothing known about its inputs yet: said so, and n still starts a run
        assert screen.detail.deployment.id == dep_id
        assert not screen.detail.inputs_known
        assert screen.detail.deployment.environment == ""  # not known, so not claimed
        assert "inputs unknown: values are sent as typed" in _texts(screen)
        await pilot.press("n")
        await poll_until(pilot, lambda: isinstance(app.screen, RunFormScreen))
        form = app.screen
        box = form.query_one(FreeInputs)
        assert isinstance(app.focused, TextArea)
        before = len(emu.state.runs)
        box.editor.text = "prompt=a red fox\nnot a pair"
        await pilot.press("ctrl+s")
        await poll_until(pilot, lambda: "NAME=VALUE" in str(form.query_one("#form-error").render()))
        assert app.screen is form and len(emu.state.runs) == before  # nothing sent
        box.editor.text = "prompt=a red fox"
        await pilot.press("ctrl+s")
        await poll_until(pilot, lambda: isinstance(app.screen, RunScreen), timeout=30)
        run_id = app.screen.run_id
        assert emu.state.runs[run_id].inputs == {"prompt": "a red fox"}
        await poll_until(pilot, lambda: app.screen.run is not None and app.screen.run.is_terminal)
        # the Runs pane lists it from the cache (the server has no run listing)
        await pilot.press("escape", "escape")
        await poll_until(pilot, lambda: app.screen is app.main)
        await pilot.press("4")
        runs = app.main.runs
        await poll_until(
            pilot, lambda: any(runs.item_at(i).id == run_id for i in range(runs.total))
        )
        assert "from the local cache" in str(runs.query_one(".pane-notice").render())
        # opened again: the run named its workflow version, so the inputs are discovered (§3.1)
        screen = await _open_deployment(pilot, app, dep_id)
        assert screen.detail.inputs_known
        assert "prompt" in [s.input_id for s in screen.detail.deployment.inputs]
        assert "inputs unknown" not in _texts(screen)
        await pilot.press("n")
        await poll_until(pilot, lambda: isinstance(app.screen, RunFormScreen) and app.screen.fields)
        assert not app.screen.query(FreeInputs)
        assert "prompt" in [f.spec.input_id for f in app.screen.fields]
