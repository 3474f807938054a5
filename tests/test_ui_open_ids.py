"""`o` (open by id) with what the app shows: short ids, names, ambiguous prefixes (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

from support_ui import FIXED_NOW, panes_filled, settings_for, wait_until

from comfytui.models import Run, RunStatus
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs.view import RunScreen
from comfytui.ui.screens.details import DeploymentScreen
from comfytui.ui.screens.prompt import OpenByIdScreen

SIZE = (120, 35)
LONG = 30.0  # a loaded 2-core machine: generous waits on conditions, never fixed sleeps


async def _open(pilot, text: str) -> None:
    app = pilot.app
    await pilot.press("o")
    await wait_until(pilot, lambda: isinstance(app.screen, OpenByIdScreen), LONG)
    app.screen.query_one("#open-id").focus()
    await pilot.press(*text, "enter")


def _message(app) -> str:
    return str(app.screen.query_one("#open-message").render())


async def test_o_opens_a_run_by_its_short_id_and_a_deployment_by_name(emulator):
    run_id = next(r.id for r in emulator.state.runs.values() if r.frozen is not None)
    production = next(
        d["id"]
        for d in emulator.state.deployments.values()
        if emulator.state.workflow_name(d["workflow_id"]) == "txt2img"
        and d["environment"] == "production"
    )
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app), LONG)
        await _open(pilot, run_id[:8])
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen), LONG)
        assert app.screen.run_id == run_id
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.main, LONG)
        await _open(pilot, "txt2img")  # the kind says run; a name still finds the deployment
        await wait_until(pilot, lambda: isinstance(app.screen, DeploymentScreen), LONG)
        assert app.screen.item_id == production


async def test_o_explains_bad_input_and_lists_an_ambiguous_prefix(emulator):
    ids = ["abcdef01-0000-4000-8000-000000000001", "abcdef02-0000-4000-8000-000000000002"]
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app), LONG)
        now = datetime.now(UTC)
        await app.session.cache.upsert_runs(
            [Run(id=i, status=RunStatus.SUCCESS, created_at=now) for i in ids]
        )
        await _open(pilot, "nope")
        box = app.screen
        await wait_until(pilot, lambda: "no deployment or workflow named" in _message(app), LONG)
        assert app.screen is box and box.query_one("#open-id").value == "nope"
        assert "UUID" not in _message(app)
        box.query_one("#open-id").value = ""
        box.query_one("#open-id").focus()
        await pilot.press(*"abcdef", "enter")
        matches = box.query_one("#open-matches")
        await wait_until(pilot, lambda: matches.display and matches.option_count == 2, LONG)
        assert "2 items match" in _message(app)
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen), LONG)
        assert app.screen.run_id == ids[1]
