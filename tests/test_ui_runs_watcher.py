"""Run watcher: several runs at once in the background, notifications, resume at start-up."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from comfytui.services import Session
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs import RunFormScreen, RunScreen
from comfytui.ui.runs.form import _progress_args
from tests.support_ui import poll_until as wait_until
from tests.support_ui import settings_for


def _messages(app: ComfyTUI) -> list[str]:
    return [n.message for n in app._notifications]


async def _form(pilot, app: ComfyTUI, name: str = "txt2img") -> RunFormScreen:
    await wait_until(pilot, lambda: app.session is not None)
    listing = await app.session.catalog.cached_deployments()
    if not listing.items:
        listing = await app.session.catalog.refresh_deployments()
    deployment = next(d for d in listing.items if d.name == name and d.environment == "production")
    app.push_screen(RunFormScreen(deployment))
    await wait_until(pilot, lambda: isinstance(app.screen, RunFormScreen) and app.screen.fields)
    return app.screen  # type: ignore[return-value]


async def test_several_runs_in_the_background_notify_when_they_end(emulator_factory):
    # slow enough (a run lives ~34 s) that three forms are filled on a loaded machine before the
    # first run ends: the test is about several runs watched at once
    emu = emulator_factory(speed=0.1)
    app = ComfyTUI(settings_for(emu))
    told: list[str] = []  # every toast, kept (a toast expires after a few seconds on screen)
    notify = app.notify
    app.notify = lambda message, *a, **k: (told.append(str(message)), notify(message, *a, **k))[1]
    async with app.run_test(size=(120, 40)) as pilot:
        # the event loop's lag, sampled every 20 ms while the runs are watched: wall time, and the
        # main thread's CPU time (what the app itself spent between two ticks: a freeze of the
        # app's making, unlike a wait for a core that another process holds)
        lags: list[float] = []
        busy: list[float] = []
        last = [time.monotonic(), time.thread_time()]

        def sample() -> None:
            now, cpu = time.monotonic(), time.thread_time()
            lags.append(now - last[0] - 0.02)
            busy.append(cpu - last[1])
            last[:] = [now, cpu]

        run_ids = []
        for _ in range(3):
            await _form(pilot, app)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: isinstance(app.screen, RunScreen), timeout=15)
            run_ids.append(app.screen.run_id)
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is app.main)
        assert len(set(run_ids)) == 3
        assert set(run_ids) <= set(app.run_watcher.active)
        await pilot.press("4", "j", "k")  # the Runs pane, which RunUpdated keeps current
        last[:] = [time.monotonic(), time.thread_time()]
        timer = app.set_interval(0.02, sample)
        await wait_until(
            pilot,
            lambda: all(
                app.run_watcher.latest.get(r) is not None and r in app.run_watcher.saved_outputs
                for r in run_ids
            ),
            timeout=60,
        )
        timer.stop()
        # a freeze, not a hiccup: the other test process shares the two cores
        # (1.4 s was seen once while the three runs ended: a burst to find, not yet a freeze)
        assert len(lags) > 20 and max(busy) < 3.0, sorted(busy)[-5:]
        assert max(lags) < 10.0, sorted(lags)[-5:]  # no stall at all, whatever the load
        assert not app.run_watcher.active
        for run_id in run_ids:
            assert any(m.startswith(f"Run {run_id[:8]} finished") for m in told), told
            saved = app.run_watcher.saved_outputs[run_id]
            assert saved and all(Path(s.path).is_file() for s in saved)


async def test_unfinished_runs_are_resumed_at_start_up(emulator_factory):
    emu = emulator_factory(speed=1.0)
    settings = settings_for(emu)
    async with Session.open(settings) as session:
        deployment = await session.catalog.resolve_deployment("txt2img")
        run = await session.runs.start(deployment, {})
        assert not run.is_terminal
    app = ComfyTUI(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: run.id in app.run_watcher.latest, timeout=10)
        await wait_until(pilot, lambda: run.id in app.run_watcher.saved_outputs, timeout=15)
        assert app.run_watcher.latest[run.id].status.value == "success"
        assert any(m.startswith(f"Run {run.id[:8]} finished") for m in _messages(app))


async def test_failed_upload_says_why_and_keeps_the_form(emulator_factory, tmp_path):
    emu = emulator_factory(dialect="legacy")
    picture = tmp_path / "init.png"
    picture.write_bytes(b"\x89PNG not much")
    app = ComfyTUI(settings_for(emu))
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _form(pilot, app)
        field = next(f for f in form.fields if f.spec.input_id == "init_image")
        field.set_value(str(picture))
        httpx.post(
            f"{emu.base_url}/_emulator/faults",
            json={"kind": "403", "route": "/comfyui-deploy/*", "method": "PUT", "count": 5},
        )
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: not form.starting and "✗" in str(form.query_one("#form-error").render()),
            timeout=15,
        )
        error = str(form.query_one("#form-error").render())
        assert "\n" not in error
        assert app.screen is form
        assert field.raw() == str(picture)
        assert not form.query_one("#upload-row").display


def test_upload_progress_arguments():
    assert _progress_args(("init_image", 512, 1024)) == (
        0.5,
        "Uploading init_image: 512 B of 1 KB",  # comfytui.formats.size_text
    )
    assert _progress_args((0.25,))[0] == 0.25
    assert _progress_args(("x", 10, None))[0] is None
