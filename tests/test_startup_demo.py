"""Demo start-up (issue 19): the persisted demo world's cached rows first, the emulator after.

`Session.open(settings, background_demo=True)` (the TUI's way) opens the demo cache at once and
starts the emulator on the first network use, in a thread; the TUI's panes paint their cached
rows before that use (ui/firstpaint.py).
"""

from __future__ import annotations

import socket
import threading

from support_ui import panes_filled, wait_until

from comfytui.services import Session
from comfytui.services import demo as demo_module
from comfytui.services.demo import DEMO_SERVER_KEY
from comfytui.services.lazy_client import PENDING_HOST
from comfytui.settings import load_settings
from comfytui.ui.app import ComfyTUI


async def _seed_demo_cache(settings) -> list[str]:
    """One ordinary demo session: the emulator's world is saved and its rows cached."""
    async with Session.open(settings) as session:
        listing = await session.catalog.refresh_deployments()
        await session.catalog.refresh_runs(limit=20)
        return sorted(d.name for d in listing.items)


async def test_background_demo_serves_the_cache_before_the_emulator_starts():
    settings = load_settings(keyring_lookup=False)
    assert settings.demo
    names = await _seed_demo_cache(settings)
    async with Session.open(settings, background_demo=True) as session:
        assert session.demo and session.server_key == DEMO_SERVER_KEY
        assert session.emulator is None and session.api_host == PENDING_HOST
        cached = await session.catalog.cached_deployments()
        assert sorted(d.name for d in cached.items) == names
        assert session.emulator is None  # reading the cache started nothing
        fresh = await session.catalog.refresh_deployments()  # first network use: starts it
        assert not fresh.offline and sorted(d.name for d in fresh.items) == names
        emulator = session.emulator
        assert emulator is not None
        assert session.api_host == emulator.base_url.removeprefix("http://")
        run = await session.runs.start("txt2img", {"prompt": "after a background start"})
        assert (await session.cache.get_run(run.id)) is not None
    try:
        socket.create_connection(("127.0.0.1", emulator.port), timeout=1).close()
    except OSError:
        pass  # closed with the session
    else:
        raise AssertionError("the demo emulator outlived its session")


async def test_background_demo_closed_before_any_network_use_starts_nothing(monkeypatch):
    settings = load_settings(keyring_lookup=False)
    started: list[object] = []
    monkeypatch.setattr(demo_module.BackgroundEmulator, "start", lambda self: started.append(1))
    async with Session.open(settings, background_demo=True) as session:
        assert (await session.catalog.cached_workflows()).items == []
    assert started == []


async def test_demo_tui_paints_the_cached_world_before_the_emulator_starts(monkeypatch):
    settings = load_settings(keyring_lookup=False)
    names = await _seed_demo_cache(settings)
    seen_at_start: list[int] = []
    real_start = demo_module.BackgroundEmulator.start
    app = ComfyTUI(settings)

    def start(self):  # runs in the client's thread, once the gate has opened
        seen_at_start.append(app.main.deployments.table.row_count)
        assert threading.current_thread() is not threading.main_thread()
        return real_start(self)

    monkeypatch.setattr(demo_module.BackgroundEmulator, "start", start)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: panes_filled(app), timeout=30)
        await wait_until(pilot, lambda: app.main.deployments.revalidated, timeout=60)
        assert seen_at_start and seen_at_start[0] == len(names)  # cached rows were on screen
        assert app.session.emulator is not None
        assert not app.state.offline
        assert app.state.api_host.startswith("127.0.0.1:")
        assert sorted(d.name for d in app.main.deployments.items) == names
