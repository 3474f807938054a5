"""Offline: the server goes away; a banner says so, cached rows stay, network actions say why.

The sessions here retry connect failures once (client option) so the tests stay fast; the app
path that opens its own session is covered by the other UI tests.
"""

from __future__ import annotations

from support_ui import FIXED_NOW, cell_texts, panes_filled, settings_for, wait_until

from comfytui.services import Session
from comfytui.ui.app import ComfyTUI
from comfytui.ui.screens.main import MainScreen
from comfytui.ui.widgets.status import OfflineBanner, StatusBar

SIZE = (120, 35)
FAST = {"retry_attempts": 1}


async def test_offline_after_the_emulator_stops(emulator_factory):
    emu = emulator_factory()
    settings = settings_for(emu)
    async with Session.open(settings, client_options=FAST) as session:
        app = ComfyTUI(settings, session=session, clock=lambda: FIXED_NOW)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: panes_filled(app))
            banner = app.main.query_one(OfflineBanner)
            assert not banner.display
            before = cell_texts(app.main.deployments.table)
            emu.stop()
            await pilot.press("2", "r")
            await wait_until(pilot, lambda: app.state.offline)
            assert banner.display
            assert "offline" in str(banner.render())
            assert "offline" in str(app.main.query_one(StatusBar).render())
            assert cell_texts(app.main.deployments.table) == before  # cached rows stay
            # An action that needs the network says so in one line instead of failing.
            await pilot.press("n")
            assert isinstance(app.screen, MainScreen)
            assert any("offline" in n.message for n in app._notifications)
            # The cached detail still opens, marked offline.
            await pilot.press("enter")
            await wait_until(pilot, lambda: getattr(app.screen, "detail", None) is not None)
            assert app.screen.detail.offline


async def test_offline_at_start_shows_the_cache(emulator_factory):
    emu = emulator_factory()
    settings = settings_for(emu)
    app = ComfyTUI(settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
    emu.stop()
    async with Session.open(settings, client_options=FAST) as session:
        app = ComfyTUI(settings, session=session, clock=lambda: FIXED_NOW)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.main.deployments.table.row_count > 0)
            names = [row[0] for row in cell_texts(app.main.deployments.table)]
            assert "txt2img" in names  # painted from the cache before any answer
            await wait_until(pilot, lambda: app.state.offline)
            assert app.main.query_one(OfflineBanner).display
