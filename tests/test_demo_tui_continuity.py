"""Demo mode is one world across a TUI launch: a run started in the TUI is listed by the next
CLI process, and a run started by the CLI shows in the next TUI launch (issue 14)."""

from __future__ import annotations

from pathlib import Path

from comfytui.settings import load_settings
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs import RunFormScreen, RunScreen
from tests.support_cli import run_demo_cli
from tests.support_ui import poll_until

SIZE = (120, 35)


def _run_ids(pane) -> set[str]:
    return {pane.item_at(i).id for i in range(pane.total) if pane.item_at(i) is not None}


async def test_demo_runs_cross_between_the_tui_and_the_cli(isolated_home: Path) -> None:
    app = ComfyTUI(load_settings(keyring_lookup=False))
    async with app.run_test(size=SIZE) as pilot:
        pane = app.main.deployments
        await poll_until(pilot, lambda: app.session is not None and pane.revalidated, timeout=40)
        assert app.session.demo
        row = next(
            i
            for i in range(pane.total)
            if pane.item_at(i).name == "txt2img" and pane.item_at(i).environment == "production"
        )
        pane.show_at(row)
        await poll_until(pilot, lambda: getattr(pane.selected, "name", None) == "txt2img")
        await pilot.press("n")
        await poll_until(pilot, lambda: isinstance(app.screen, RunFormScreen) and app.screen.fields)
        prompt = next(f for f in app.screen.fields if f.spec.input_id == "prompt")
        prompt.set_value("a fox from the tui")
        await pilot.press("ctrl+s")
        await poll_until(pilot, lambda: isinstance(app.screen, RunScreen))
        tui_run = app.screen.run_id
    listed = run_demo_cli(isolated_home, "ls", "runs", "--json")
    assert listed.returncode == 0, listed.stderr
    assert tui_run in listed.stdout
    started = run_demo_cli(isolated_home, "run", "txt2img", "-i", "prompt=an owl from the cli")
    assert started.returncode == 0, started.stderr
    cli_run = started.stdout.strip()
    assert cli_run and cli_run != tui_run
    app = ComfyTUI(load_settings(keyring_lookup=False))
    async with app.run_test(size=SIZE) as pilot:
        runs = app.main.runs
        await poll_until(pilot, lambda: app.session is not None and runs.revalidated, timeout=40)
        await poll_until(pilot, lambda: {cli_run, tui_run} <= _run_ids(runs))
