"""Offline: the server goes away; a banner says so, cached rows stay, network actions say why."""

from __future__ import annotations

from test_ui_support import FIXED_NOW, cell_texts, panes_filled, settings_for, wait_until

from comfytui.ui.app import ComfyTUI
from comfytui.ui.screens.main import MainScreen
from comfytui.ui.widgets.status import OfflineBanner, StatusBar

SIZE = (120, 35)


async def test_offline_after_the_emulator_stops(emulator_factory):
    emu = emulator_factory()
    app = ComfyTUI(settings_for(emu), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        banner = app.main.query_one(OfflineBanner)
        assert not banner.display
        before = cell_texts(app.main.deployments.table)
        emu.stop()
        for pane in app.main.panes:
            pane.revalidated = False
        await pilot.press("2", "r")
        await wait_until(pilot, lambda: app.state.offline, timeout=20)
        assert banner.display
        assert "offline" in str(banner.render())
        assert "offline" in str(app.main.query_one(StatusBar).render())
        assert cell_texts(app.main.deployments.table) == before  # cached rows still browsable
        # An action that needs the network says so in one line instead of failing.
        await pilot.press("n")
        assert isinstance(app.screen, MainScreen)
        assert any("offline" in n.message for n in app._notifications)
        # Cached detail still opens.
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(app.screen, "detail", None) is not None, 20)


async def test_offline_at_start_shows_the_cache(emulator_factory, isolated_home):
    emu = emulator_factory()
    settings = settings_for(emu)
    app = ComfyTUI(settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
    emu.stop()
    app = ComfyTUI(settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.state.offline and app.main.deployments.table.row_count)
        assert app.main.query_one(OfflineBanner).display
        names = [row[0] for row in cell_texts(app.main.deployments.table)]
        assert "txt2img" in names
