"""The run's Logs tab (Pilot, emulator): follow, search, hostile text literal, 100,000 lines."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from textual.widgets import Static

from comfytui.models import LogLine
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs.logs import RunLogsScreen
from tests.support_ui import settings_for
from tests.test_ui_runs_view import _start, wait_until

HOSTILE = "[bold red]boom[/] [@click=app.quit]x[/] \x1b[31m\x1b]0;pwned\x07"


def _text(screen: RunLogsScreen) -> str:
    return "\n".join(screen.view.lines)


def _status(screen: RunLogsScreen) -> str:
    return str(screen.query_one("#logs-status", Static).render())


async def test_logs_tab_follows_the_broken_run_to_its_traceback(emulator_factory):
    emu = emulator_factory(speed=1.0)
    app = ComfyTUI(settings_for(emu))
    async with app.run_test(size=(120, 40)) as pilot:
        await _start(pilot, app, "broken")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, RunLogsScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.state == "complete", timeout=30)
        await wait_until(pilot, lambda: "MachineError" in _text(screen), timeout=15)
        assert "Traceback (most recent call last):" in _text(screen)
        await pilot.press("slash")
        await pilot.press(*"traceback", "enter")
        await wait_until(pilot, lambda: screen.query_text == "traceback")
        assert _text(screen).count("\n") == 0 and "Traceback" in _text(screen)
        await pilot.press("w")
        await wait_until(pilot, lambda: "wrap on" in _status(screen))


async def test_hostile_text_is_literal_and_100k_lines_do_not_freeze(emulator):
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        screen = RunLogsScreen("00000000-0000-4000-8000-000000000000", max_lines=2_000)
        app.push_screen(screen)
        await wait_until(pilot, lambda: screen.is_mounted and screen.state != "loading")
        now = datetime.now(UTC)
        screen.add_line(LogLine(HOSTILE, "error", now))
        await wait_until(pilot, lambda: "boom" in _text(screen))
        assert "[bold red]boom[/]" in _text(screen)
        assert "\x1b" not in _text(screen) and "\x07" not in _text(screen)
        assert app.is_running  # the @click did not quit
        for index in range(100_000):
            screen.add_line(LogLine(f"line {index}", "info", now))
        started = time.monotonic()
        await wait_until(pilot, lambda: "line 99999" in _text(screen), timeout=30)
        await pilot.press("w")  # the UI still answers keys
        await wait_until(pilot, lambda: "wrap on" in _status(screen), timeout=30)
        assert time.monotonic() - started < 30
        assert len(screen.lines) == 2_000 and len(screen.view.lines) <= 2_000


async def test_waiting_run_shows_its_queue_position(emulator_factory):
    from comfytui.ui.runs.queue import ordinal

    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 103)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd",
    ]  # fmt: skip
    emu = emulator_factory(speed=0.001)  # the run stays not-started / queued
    app = ComfyTUI(settings_for(emu))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        await app.session.catalog.refresh_machines()
        view = await _start(pilot, app, "txt2img")

        def shown() -> str:
            return str(view.query_one("#run-queue", Static).render())

        await wait_until(pilot, lambda: "1st in queue on gpu-a10g-prod" in shown(), timeout=20)
