"""Helpers shared by the UI tests (no tests here): settings for an emulator, waiting on the app."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from datetime import timedelta

from comfytui.settings import Secret, Settings, load_settings

#: A fixed "now" one hour after the emulator's seed time, so relative times are stable.
try:
    from comfytui.emulator.seed import BASE_TIME

    FIXED_NOW = BASE_TIME + timedelta(hours=1)
except ImportError:  # pragma: no cover - the emulator is part of the package
    FIXED_NOW = None


def settings_for(emulator, **changes) -> Settings:
    """Settings pointing at `emulator` with its key (so no demo emulator is started)."""
    from dataclasses import replace

    base = load_settings(keyring_lookup=False)
    return replace(
        base,
        api_url=emulator.api_url,
        api_key=Secret(emulator.api_key),
        key_source="flag",
        **changes,
    )


#: A wait is for a condition; its timeout only bounds a failure, so it is generous: on a loaded
#: 2-core machine (CI, a second suite beside it) a step can take ten times as long as on a quiet
#: one. Every wait lasts at least this long before it fails (COMFYTUI_TEST_TIMEOUT overrides).
TIMEOUT_FLOOR = float(os.environ.get("COMFYTUI_TEST_TIMEOUT", "60"))


def _deadline(timeout: float) -> tuple[float, float]:
    limit = max(timeout, TIMEOUT_FLOOR)
    return time.monotonic() + limit, limit


async def wait_until(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let workers finish and messages drain until `condition()` holds (fails after timeout)."""
    from textual.worker import WorkerCancelled, WorkerFailed

    app = pilot.app
    deadline, limit = _deadline(timeout)
    while True:
        # Run watchers may follow unfinished runs for a long time: wait on the rest only.
        busy = [w for w in app.workers if w.group != "watch" and not w.is_finished]
        if busy:
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                # a failed worker is the app's to report (the condition says what to expect)
                await app.workers.wait_for_complete(busy)
        await pilot.pause()
        if condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {limit}s: {condition}")
        await pilot.pause(0.02)


async def poll_until(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll `condition()` while the app runs, without waiting on workers (run watchers and
    followers stay busy for as long as a run lives)."""
    deadline, limit = _deadline(timeout)
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {limit}s: {condition}")
        await pilot.pause(0.05)


def panes_filled(app) -> bool:
    return app.session is not None and all(
        p.revalidated and p.table.row_count > 0 for p in app.main.panes
    )


def cell_texts(table) -> list[list[str]]:
    """The plain text of every cell of a DataTable, row by row."""
    return [
        [str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)
    ]


def tables_settled(app) -> bool:
    """Every DataTable on screen has measured its rows (it does so on its own Idle event; a
    screenshot taken before that shows header-wide columns)."""
    from textual.widgets import DataTable

    return not any(t._require_update_dimensions for t in app.screen.query(DataTable))


async def open_run_form(pilot, app, name: str = "txt2img", environment: str = "production"):
    """Push the run form of deployment `name` in `environment` (refreshed from the server) once
    the app's session is open; returns the form when its fields are built."""
    from comfytui.ui.runs import RunFormScreen

    await poll_until(pilot, lambda: app.session is not None)
    listing = await app.session.catalog.refresh_deployments()
    deployment = next(d for d in listing.items if d.name == name and d.environment == environment)
    app.push_screen(RunFormScreen(deployment))
    await poll_until(pilot, lambda: isinstance(app.screen, RunFormScreen) and app.screen.fields)
    return app.screen
