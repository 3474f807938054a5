"""A run followed in the background is polled less often than the run whose screen is open."""

from __future__ import annotations

from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs import RunScreen
from tests.support_ui import poll_until, settings_for


async def test_background_runs_poll_slower_than_the_run_on_screen(emulator_factory):
    emu = emulator_factory(speed=0.1)  # a run lives ~34 s: it is still going while we look
    app = ComfyTUI(settings_for(emu))
    async with app.run_test(size=(120, 40)) as pilot:
        await poll_until(pilot, lambda: app.session is not None)
        session = app.session
        listing = await session.catalog.refresh_deployments()
        deployment = next(d for d in listing.items if d.name == "txt2img")
        run_id = (await session.runs.start(deployment, {})).id
        app.run_watcher.watch(run_id)
        base = session.runs.min_interval
        watcher = app.run_watcher
        assert watcher.poll_interval(run_id) == base * watcher.BACKGROUND_FACTOR
        app.push_screen(RunScreen(run_id))
        await poll_until(pilot, lambda: isinstance(app.screen, RunScreen))
        assert watcher.poll_interval(run_id) == base  # on screen: the progress bar moves
        assert watcher.poll_interval("another-run") == base * watcher.BACKGROUND_FACTOR
        app.pop_screen()
        await poll_until(pilot, lambda: not isinstance(app.screen, RunScreen))
        assert watcher.poll_interval(run_id) == base * watcher.BACKGROUND_FACTOR
