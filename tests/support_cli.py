"""Helpers shared by the CLI tests (no tests here): `python -m comfytui` against an emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    emu: Any, *args: str, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would, with the emulator's URL and key in the environment."""
    env = dict(os.environ)
    env.pop("COMFYTUI_DEBUG", None)
    env.update(
        COMFY_DEPLOY_API_URL=emu.api_url, COMFY_DEPLOY_API_KEY=emu.api_key, PYTHONPATH=str(ROOT)
    )
    return subprocess.run(
        [sys.executable, "-m", "comfytui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def run_many(
    emu: Any, *commands: list[str], timeout: float = 120
) -> list[subprocess.CompletedProcess[str]]:
    """`run_cli` for several commands at once (subprocesses are slow on a loaded machine)."""
    env = dict(os.environ)
    env.pop("COMFYTUI_DEBUG", None)
    env.update(
        COMFY_DEPLOY_API_URL=emu.api_url, COMFY_DEPLOY_API_KEY=emu.api_key, PYTHONPATH=str(ROOT)
    )
    procs = [
        (
            args,
            subprocess.Popen(
                [sys.executable, "-m", "comfytui", *args],
                env=env,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ),
        )
        for args in commands
    ]
    done = []
    for args, proc in procs:
        out, err = proc.communicate(timeout=timeout)
        done.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return done


def run_demo_cli(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the CLI in demo mode (no key, no URL) with `home` as COMFYTUI_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMFY_DEPLOY_")}
    env.update(COMFYTUI_HOME=str(home), PYTHONPATH=str(ROOT))
    env.pop("COMFYTUI_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "comfytui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
