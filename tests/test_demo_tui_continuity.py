"""Demo mode is one world across a TUI launch: a run started in the TUI is listed by the next
CLI process, and a run started by the CLI shows in the next TUI launch (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from comfytui.settings import load_settings
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs import RunFormScreen, RunScreen

SIZE = (120, 35)


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMFY_DEPLOY_")}
    env["COMFYTUI_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "comfytui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def wait_until(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await pilot.pause(0.05)


def _run_ids(pane) -> set[str]:
    return {pane.item_at(i).id for i in range(pane.total) if pane.item_at(i) is not None}


async def test_demo_runs_cross_between_the_tui_and_the_cli(isolated_home: Path) -> None:
    app = ComfyTUI(load_settings(keyring_lookup=False))
    async with app.run_test(size=SIZE) as pilot:
        pane = app.main.deployments
        await wait_until(pilot, lambda: app.session is not None and pane.revalidated)
        assert app.session.demo
        row = next(
            i
            for i in range(pane.total)
            if pane.item_at(i).name == "txt2img" and pane.item_at(i).environment == "production"
        )
        pane.show_at(row)
        await wait_until(pilot, lambda: getattr(pane.selected, "name", None) == "txt2img")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, RunFormScreen) and app.screen.fields)
        prompt = next(f for f in app.screen.fields if f.spec.input_id == "prompt")
        prompt.set_value("a fox from the tui")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
        tui_run = app.screen.run_id
    listed = _cli(isolated_home, "ls", "runs", "--json")
    assert listed.returncode == 0, listed.stderr
    assert tui_run in listed.stdout
    started = _cli(isolated_home, "run", "txt2img", "-i", "prompt=an owl from the cli")
    assert started.returncode == 0, started.stderr
    cli_run = started.stdout.strip()
    assert cli_run and cli_run != tui_run
    app = ComfyTUI(load_settings(keyring_lookup=False))
    async with app.run_test(size=SIZE) as pilot:
        runs = app.main.runs
        await wait_until(pilot, lambda: app.session is not None and runs.revalidated)
        await wait_until(pilot, lambda: {cli_run, tui_run} <= _run_ids(runs))
