"""Demo mode is one continuous world: runs survive between CLI processes; reset starts fresh."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMFY_DEPLOY_")}
    env["COMFYTUI_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "comfytui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_run_is_there_in_the_next_process_and_reset_forgets_it(tmp_path: Path) -> None:
    started = _cli(tmp_path, "run", "txt2img", "-i", "prompt=fox")
    assert started.returncode == 0, started.stderr
    run_id = started.stdout.strip()
    shown = _cli(tmp_path, "show", "run", run_id)
    assert shown.returncode == 0, shown.stderr
    assert run_id in shown.stdout and '"fox"' in shown.stdout
    listed = _cli(tmp_path, "ls", "runs", "--offline")
    assert run_id in listed.stdout
    assert (tmp_path / "data" / "demo-emulator.json").exists()
    reset = _cli(tmp_path, "demo", "reset")
    assert reset.returncode == 0, reset.stderr
    assert not (tmp_path / "data" / "demo-emulator.json").exists()
    gone = _cli(tmp_path, "ls", "runs", "--offline")
    assert run_id not in gone.stdout
