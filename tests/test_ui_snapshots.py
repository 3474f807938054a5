"""Snapshots of the main screen and one detail view (fixed clock, seeded emulator, fixed host)."""

from __future__ import annotations

from support_ui import FIXED_NOW, panes_filled, settings_for, tables_settled, wait_until

from comfytui.ui.app import ComfyTUI

SIZE = (120, 35)


def _app(emulator) -> ComfyTUI:
    return ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)


async def _settle(pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: panes_filled(app))
    app.state.api_host = "127.0.0.1:8000"  # the emulator's port changes between runs
    app.clear_notifications()
    app._show_state()
    await wait_until(pilot, lambda: tables_settled(app))


def test_main_screen_snapshot(emulator, snap_compare):
    assert snap_compare(_app(emulator), terminal_size=SIZE, run_before=_settle)


def test_deployment_detail_snapshot(emulator, snap_compare):
    async def open_txt2img(pilot) -> None:
        await _settle(pilot)
        await pilot.press("2", "slash", *"txt2img", "enter", "enter")
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None)
        await wait_until(pilot, lambda: tables_settled(pilot.app))

    assert snap_compare(_app(emulator), terminal_size=SIZE, run_before=open_txt2img)
