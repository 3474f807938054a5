"""`n` starts a run for the focused item (one mechanism for every pane and screen), and typed
input survives: q is no quit key on a form, ctrl+q asks, drafts come back (issue 14)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from textual.widgets import Input

from comfytui.ui.app import ComfyTUI
from comfytui.ui.quitting import QuitConfirm
from comfytui.ui.runs import RunFormScreen, RunScreen
from comfytui.ui.screens.pick_deployment import DeploymentPicker
from tests.support_ui import FIXED_NOW, poll_until, settings_for

SIZE = (120, 40)


def _dep_id(emulator, name: str, environment: str) -> str:
    state = emulator.state
    return next(
        d_id
        for d_id, d in state.deployments.items()
        if d["environment"] == environment and state.workflows[d["workflow_id"]]["name"] == name
    )


@contextlib.asynccontextmanager
async def _main_screen(emulator) -> AsyncIterator[tuple[Any, ComfyTUI]]:
    """The app on the emulator, every pane filled and revalidated: (pilot, app)."""
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        yield pilot, app


async def _ready(pilot, app: ComfyTUI) -> None:
    await poll_until(
        pilot,
        lambda: (
            app.session is not None
            and all(p.revalidated and p.table.row_count > 0 for p in app.main.panes)
        ),
        timeout=30,
    )


async def _cursor_to(pilot, app: ComfyTUI, kind: str, index: int, predicate) -> object:
    """Show pane `index` (its key) and put its cursor on the first item matching `predicate`."""
    await pilot.press(str(index + 1))
    pane = app.main.pane(kind)
    row = next(i for i in range(pane.total) if predicate(pane.item_at(i)))
    pane.show_at(row)
    await poll_until(pilot, lambda: pane.selected is not None and predicate(pane.selected))
    return pane.selected


async def _form(pilot, app: ComfyTUI) -> RunFormScreen:
    await poll_until(pilot, lambda: isinstance(app.screen, RunFormScreen), timeout=20)
    return app.screen  # type: ignore[return-value]


async def _n_on_deployment(pilot, app: ComfyTUI, dep_id: str) -> RunFormScreen:
    """`n` on the Deployments pane's row of `dep_id`: the run form it opens."""
    await _cursor_to(pilot, app, "deployments", 1, lambda d: d.id == dep_id)
    await pilot.press("n")
    return await _form(pilot, app)


async def test_n_on_a_workflow_offers_its_deployments_production_first(emulator):
    async with _main_screen(emulator) as (pilot, app):
        # a selection elsewhere must not count: the Deployments pane's row is another one
        await _cursor_to(pilot, app, "deployments", 1, lambda d: d.name == "webp-out")
        await _cursor_to(pilot, app, "workflows", 0, lambda w: w.name == "txt2img")
        await pilot.press("n")
        await poll_until(pilot, lambda: isinstance(app.screen, DeploymentPicker))
        picker = app.screen
        assert [d.environment for d in picker.deployments] == ["production", "staging"]
        assert {d.name for d in picker.deployments} == {"txt2img"}
        assert "txt2img" in picker.title_text
        await pilot.press("n")  # on the dialog, n starts nothing more
        await pilot.pause()
        assert sum(isinstance(s, DeploymentPicker) for s in app.screen_stack) == 1
        await pilot.press("down", "enter")
        form = await _form(pilot, app)
        assert form.deployment.id == _dep_id(emulator, "txt2img", "staging")
        await pilot.press("escape")
        await poll_until(pilot, lambda: app.screen is app.main)
        await pilot.press("n", "enter")  # the default choice is production
        form = await _form(pilot, app)
        assert form.deployment.id == _dep_id(emulator, "txt2img", "production")


async def test_n_in_deployments_runs_and_a_run_screen_uses_that_items_deployment(emulator):
    async with _main_screen(emulator) as (pilot, app):
        staging = _dep_id(emulator, "txt2img", "staging")
        form = await _n_on_deployment(pilot, app, staging)
        assert form.deployment.id == staging
        await pilot.press("escape")
        await poll_until(pilot, lambda: app.screen is app.main)
        # Runs: the run's deployment, whatever the Deployments pane has selected
        webp = _dep_id(emulator, "webp-out", "production")
        run_ids = {r.id for r in emulator.state.runs.values() if r.deployment_id == webp}
        assert run_ids
        run = await _cursor_to(pilot, app, "runs", 3, lambda r: r.id in run_ids)
        await pilot.press("n")
        form = await _form(pilot, app)
        assert form.deployment.id == webp
        await pilot.press("escape")
        await poll_until(pilot, lambda: app.screen is app.main)
        # a run screen: that run's deployment
        await pilot.press("enter")
        await poll_until(pilot, lambda: isinstance(app.screen, RunScreen))
        assert app.screen.run_id == run.id
        await pilot.press("n")
        form = await _form(pilot, app)
        assert form.deployment.id == webp


async def test_n_with_nothing_focused_opens_a_picker_of_every_deployment(emulator):
    async with _main_screen(emulator) as (pilot, app):
        # a machine without deployments maps to none: the picker says so in its title
        await _cursor_to(pilot, app, "machines", 2, lambda m: m.name == "builder-h100")
        await pilot.press("n")
        await poll_until(pilot, lambda: isinstance(app.screen, DeploymentPicker))
        assert "builder-h100 has none" in app.screen.title_text
        await pilot.press("escape")
        await poll_until(pilot, lambda: app.screen is app.main)
        # nothing focused at all: every deployment, production first, with a filter line
        app.main.set_focus(None)
        await pilot.press("n")
        await poll_until(pilot, lambda: isinstance(app.screen, DeploymentPicker))
        picker = app.screen
        assert len(picker.deployments) == len(emulator.state.deployments)
        assert picker.deployments[0].environment == "production"
        assert isinstance(app.focused, Input)  # the filter line
        await pilot.press(*"webp")
        await poll_until(pilot, lambda: [d.name for d in picker.shown] == ["webp-out"])
        await pilot.press("enter")
        form = await _form(pilot, app)
        assert form.deployment.id == _dep_id(emulator, "webp-out", "production")


async def test_q_on_a_form_does_not_quit_ctrl_q_asks_and_drafts_survive(emulator):
    async with _main_screen(emulator) as (pilot, app):
        production = _dep_id(emulator, "txt2img", "production")
        form = await _n_on_deployment(pilot, app, production)
        negative = next(f for f in form.fields if f.spec.input_id == "negative")
        negative.editor.focus()
        await pilot.press(*"quiet")
        assert negative.raw().endswith("quiet")
        assert app.is_running and app.screen is form
        # focus on a button: q still does not quit (the app's q is disabled on a form)
        form.query_one("#form-start").focus()
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and app.screen is form
        # ctrl+q asks; "keep" goes back to the form with everything typed
        await pilot.press("ctrl+q")
        await poll_until(pilot, lambda: isinstance(app.screen, QuitConfirm))
        assert "txt2img" in app.screen.question
        await pilot.press("n")
        await poll_until(pilot, lambda: app.screen is form)
        assert negative.raw().endswith("quiet")
        # leaving the form without escape (the palette's "go to pane") keeps the draft
        app.action_show_pane(3)
        await poll_until(pilot, lambda: app.screen is app.main)
        again = await _n_on_deployment(pilot, app, production)
        assert again is not form
        restored = next(f for f in again.fields if f.spec.input_id == "negative")
        assert restored.raw() == negative.raw()
        await pilot.press("escape")
        await poll_until(pilot, lambda: app.screen is app.main)
        # on the main screen q quits, but a draft not sent makes it ask first
        await pilot.press("q")
        await poll_until(pilot, lambda: isinstance(app.screen, QuitConfirm))
        await pilot.press("y")
        await poll_until(pilot, lambda: not app.is_running)


async def _leave_a_form(
    pilot, app: ComfyTUI, deployment_id: str = "", typed: str = ""
) -> RunFormScreen:
    """Open the form of a deployment (none: the Deployments pane's row), type `typed` into its
    `negative` prompt (none: no draft), escape."""
    if deployment_id:
        form = await _n_on_deployment(pilot, app, deployment_id)
    else:
        await pilot.press("2", "n")
        form = await _form(pilot, app)
    if typed:
        negative = next(f for f in form.fields if f.spec.input_id == "negative")
        negative.editor.focus()
        await pilot.press(*typed)
    await pilot.press("escape")  # a draft is kept, not sent
    await poll_until(pilot, lambda: app.screen is app.main)
    return form


async def test_q_quits_at_once_when_nothing_was_typed(emulator):
    async with _main_screen(emulator) as (pilot, app):
        form = await _leave_a_form(pilot, app)
        assert form.deployment.id
        await pilot.press("q")
        await poll_until(pilot, lambda: not app.is_running)


async def test_colon_q_asks_for_a_draft_and_colon_q_bang_quits_at_once(emulator):
    async with _main_screen(emulator) as (pilot, app):
        production = _dep_id(emulator, "txt2img", "production")
        await _leave_a_form(pilot, app, production, typed="quiet")
        app.run_command("q")  # `:q` asks: typed input would be lost
        await poll_until(pilot, lambda: isinstance(app.screen, QuitConfirm))
        await pilot.press("n")
        await poll_until(pilot, lambda: app.screen is app.main)
        app.run_command("q!")  # like vim: no question
        await poll_until(pilot, lambda: not app.is_running)
