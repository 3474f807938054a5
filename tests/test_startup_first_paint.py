"""Start-up order (issue 19): every pane's cached rows are painted before the HTTP client is
built or the server asked (ui/firstpaint.py), and the gate never holds anybody up for good."""

from __future__ import annotations

import asyncio
import threading
import time

from support_ui import panes_filled, settings_for, wait_until

from comfytui.services import Session
from comfytui.services.lazy_client import LazyClient
from comfytui.ui.app import ComfyTUI
from comfytui.ui.firstpaint import FirstPaint
from comfytui.ui.panes import DeploymentsPane


async def test_the_gate_opens_when_every_part_painted():
    gate = FirstPaint(2, timeout=30, settle=0.05)
    waiter = asyncio.ensure_future(gate.wait())
    gate.painted("a")
    gate.painted("a")  # the same part twice is one part
    await asyncio.sleep(0.05)
    assert not gate.is_open and not waiter.done()
    gate.painted("b")
    await asyncio.wait_for(waiter, 10)
    assert gate.is_open
    await asyncio.wait_for(gate.wait(), 10)  # open: later waiters pass


async def test_a_part_that_never_paints_holds_nobody_up_past_the_timeout():
    gate = FirstPaint(4, timeout=0.2, settle=0.05)
    gate.painted("a")
    await asyncio.wait_for(gate.wait(), 10)
    assert gate.is_open


async def test_waiters_go_on_after_a_quiet_moment_not_while_the_process_works():
    # a thread of ours burns CPU for 0.4 s (a client being built, an emulator starting): the
    # gate waits for it and then for `quiet` seconds of idleness (the frame written out)
    gate = FirstPaint(1, timeout=5, settle=10.0, quiet=0.1)

    def burn() -> None:
        end = time.monotonic() + 0.4
        while time.monotonic() < end:
            pass

    worker = threading.Thread(target=burn)
    gate.painted("a")
    started = time.monotonic()
    worker.start()
    await asyncio.wait_for(gate.wait(), 30)
    assert time.monotonic() - started >= 0.4 + 0.1 - 0.03
    worker.join()


async def test_settling_is_bounded_even_if_the_process_never_rests():
    gate = FirstPaint(1, timeout=5, settle=0.3, quiet=60.0)  # quiet can never be reached
    gate.painted("a")
    started = time.monotonic()
    await asyncio.wait_for(gate.wait(), 30)
    assert time.monotonic() - started < 5  # the settle bound (0.3 s) let it go


async def test_cached_rows_of_every_pane_are_painted_before_the_client_is_built(
    emulator, monkeypatch
):
    settings = settings_for(emulator)
    async with Session.open(settings) as session:  # fill the cache as a previous launch did
        for kind in ("workflows", "deployments", "machines"):
            await getattr(session.catalog, f"refresh_{kind}")()
        await session.catalog.refresh_runs(limit=20)
    seen: list[dict[str, int]] = []
    real_build = LazyClient._build
    app = ComfyTUI(settings)

    def build(self):
        seen.append({pane.KIND: pane.table.row_count for pane in app.main.panes})
        return real_build(self)

    real_cached = DeploymentsPane.fetch_cached

    async def slow_cached(self):  # a big cache: this pane paints well after the others
        await asyncio.sleep(1.0)
        return await real_cached(self)

    monkeypatch.setattr(LazyClient, "_build", build)
    monkeypatch.setattr(DeploymentsPane, "fetch_cached", slow_cached)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: panes_filled(app), timeout=30)
        assert seen, "the client was never built"
        assert all(count > 0 for count in seen[0].values()), seen[0]
        assert app.main.first_paint.is_open


async def test_the_first_paint_builds_a_screenful_then_the_whole_window(emulator, monkeypatch):
    # 500 cached deployments, the server unreachable (the rows stay the cached ones): before
    # the first frame only FIRST_ROWS rows are built, the window's 400 follow once it is out,
    # and the cursor walks on past the first screenful without jumping
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from comfytui.models import Deployment

    settings = replace(settings_for(emulator), api_url="http://127.0.0.1:9/api")
    base = datetime(2025, 1, 1, tzinfo=UTC)
    many = [
        Deployment(id=f"dep-{n:04d}", name=f"deployment-{n:04d}", environment="production",
                   workflow_id="wf", created_at=base + timedelta(minutes=n))
        for n in range(500)
    ]  # fmt: skip
    async with Session.open(settings) as session:
        await session.cache.upsert_deployments(many)
    painted: list[int] = []
    real_paint = DeploymentsPane._paint

    def paint(self, start, cursor):
        real_paint(self, start, cursor)
        painted.append(self.table.row_count)

    monkeypatch.setattr(DeploymentsPane, "_paint", paint)
    app = ComfyTUI(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        pane = app.main.deployments
        await wait_until(pilot, lambda: pane.table.row_count == pane.WINDOW, timeout=30)
        assert painted[0] == pane.FIRST_ROWS  # the first paint: a screenful
        assert pane.window_start == 0
        app.main.set_focus(pane.table)
        for _ in range(pane.FIRST_ROWS + 20):
            await pilot.press("j")
        await wait_until(pilot, lambda: pane.selected is pane.view[pane.FIRST_ROWS + 20])
        assert [pane.item_id(d) for d in pane.view[:3]] == ["dep-0000", "dep-0001", "dep-0002"]


async def test_the_collector_is_held_until_the_first_frame_then_frozen_and_thawed_at_exit(
    emulator, monkeypatch
):
    import gc

    app = ComfyTUI(settings_for(emulator))
    during_start: list[bool] = []
    real_ready = ComfyTUI.on_session_ready

    def spy(self, message):  # before the first frame
        during_start.append(gc.isenabled())
        real_ready(self, message)

    monkeypatch.setattr(ComfyTUI, "on_session_ready", spy)
    frozen_before = gc.get_freeze_count()
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: panes_filled(app), timeout=30)
        await wait_until(pilot, gc.isenabled, timeout=30)
        assert gc.get_freeze_count() > frozen_before  # start-up's objects: permanent
    assert during_start == [False]  # no collection while the app started
    assert gc.isenabled()  # the app is gone: the collector runs, nothing is left frozen
    assert gc.get_freeze_count() == 0
