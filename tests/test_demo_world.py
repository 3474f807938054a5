"""Demo mode is one continuous world: runs survive between CLI processes; reset starts fresh."""

from __future__ import annotations

from pathlib import Path

from tests.support_cli import run_demo_cli


def test_demo_run_is_there_in_the_next_process_and_reset_forgets_it(tmp_path: Path) -> None:
    started = run_demo_cli(tmp_path, "run", "txt2img", "-i", "prompt=fox")
    assert started.returncode == 0, started.stderr
    run_id = started.stdout.strip()
    shown = run_demo_cli(tmp_path, "show", "run", run_id)
    assert shown.returncode == 0, shown.stderr
    assert run_id in shown.stdout and '"fox"' in shown.stdout
    listed = run_demo_cli(tmp_path, "ls", "runs", "--offline")
    assert run_id in listed.stdout
    assert (tmp_path / "data" / "demo-emulator.json").exists()
    reset = run_demo_cli(tmp_path, "demo", "reset")
    assert reset.returncode == 0, reset.stderr
    assert not (tmp_path / "data" / "demo-emulator.json").exists()
    gone = run_demo_cli(tmp_path, "ls", "runs", "--offline")
    assert run_id not in gone.stdout
