"""The Runs pane follows `RunUpdated`/`RunStarted` in place: no reload, cursor kept, coalesced."""

from __future__ import annotations

from dataclasses import replace

from support_ui import FIXED_NOW, cell_texts, panes_filled, settings_for, wait_until

from comfytui.models import RunStatus
from comfytui.ui.app import ComfyTUI
from comfytui.ui.messages import RunStarted, RunUpdated

SIZE = (120, 35)


async def test_run_updates_change_the_row_in_place(emulator):
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        pane = app.main.runs
        await pilot.press("4", "j", "j")
        selected = pane.selected  # a RunSummary: the watcher's messages carry full Runs
        full = await app.session.cache.get_run(selected.id)
        listing = pane.listing
        rows = pane.table.row_count
        run = replace(full, status=RunStatus.RUNNING, progress=0.25, ended_at=None)
        app.post_message(RunUpdated(replace(run, progress=0.1)))
        app.post_message(RunUpdated(run))  # replaces the one above while it waits
        await pilot.pause()
        row = cell_texts(pane.table)[pane.table.cursor_row]
        assert row[2] == "running" and row[3].endswith("25%")
        assert pane.table.row_count == rows and pane.listing is listing  # no reload
        assert pane.selected.id == selected.id
        assert selected.id in app.state.active_runs

        app.post_message(RunUpdated(replace(run, status=RunStatus.SUCCESS, progress=1.0)))
        await pilot.pause()
        assert cell_texts(pane.table)[pane.table.cursor_row][2] == "success"
        assert not app.state.active_runs


async def test_run_started_appears_on_top(emulator):
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        pane = app.main.runs
        template = await app.session.cache.get_run(pane.items[0].id)
        new = replace(template, id="new-run-0001", status=RunStatus.QUEUED, created_at=FIXED_NOW)
        app.post_message(RunStarted(new))
        await pilot.pause()
        assert pane.items[0].id == "new-run-0001"
        assert cell_texts(pane.table)[0][2] == "queued"


def test_run_updated_coalesces_only_the_same_run():
    from comfytui.models import Run

    a1, a2 = RunUpdated(Run("a", RunStatus.RUNNING)), RunUpdated(Run("a", RunStatus.SUCCESS))
    b = RunUpdated(Run("b", RunStatus.RUNNING))
    assert a2.can_replace(a1) and not b.can_replace(a1)
