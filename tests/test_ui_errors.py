"""One place turns failures into words: a refused key or a crashing worker gives one line."""

from __future__ import annotations

import logging

from support_ui import FIXED_NOW, settings_for, wait_until

from comfytui.ui.app import ComfyTUI
from comfytui.ui.screens.main import MainScreen

SIZE = (120, 35)


async def test_auth_error_becomes_one_line(emulator):
    emulator.add_fault(kind="401", route="/api/machine*")
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert all("\n" not in m and "Traceback" not in m for m in errors)
        assert app.is_running and isinstance(app.screen, MainScreen)
        assert len(errors) == 1  # said once, not once per pane
        deployments = app.main.deployments
        await wait_until(pilot, lambda: deployments.table.row_count > 0)  # the others load


async def test_unexpected_exception_is_one_line_and_logged(emulator, caplog, monkeypatch):
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.pane("machines").revalidated)

        async def boom() -> None:
            raise RuntimeError("kaboom\nsecond line")

        monkeypatch.setattr(app.main.pane("machines"), "fetch_fresh", boom)
        with caplog.at_level(logging.ERROR, logger="comfytui.ui"):
            await pilot.press("3", "r")
            await wait_until(pilot, lambda: any("kaboom" in n.message for n in app._notifications))
        message = next(n.message for n in app._notifications if "kaboom" in n.message)
        assert message.startswith("unexpected RuntimeError: kaboom second line")
        assert any(r.exc_info for r in caplog.records)  # the traceback went to the log
        assert app.is_running
