"""Helpers shared by the CLI tests (no tests here): `python -m comfytui` against an emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def cli_env(emu: Any = None, home: Path | None = None) -> dict[str, str]:
    """The environment of a CLI subprocess: this one without COMFYTUI_DEBUG, the checkout on
    PYTHONPATH; with `emu` its URL and key; with `home` demo mode (no COMFY_DEPLOY_*) there."""
    env = {k: v for k, v in os.environ.items() if k != "COMFYTUI_DEBUG"}
    env["PYTHONPATH"] = str(ROOT)
    if home is not None:
        env = {k: v for k, v in env.items() if not k.startswith("COMFY_DEPLOY_")}
        env["COMFYTUI_HOME"] = str(home)
    if emu is not None:
        env.update(COMFY_DEPLOY_API_URL=emu.api_url, COMFY_DEPLOY_API_KEY=emu.api_key)
    return env


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "comfytui", *args]


def run_with_env(
    env: dict[str, str], *args: str, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the CLI with `env` (see `cli_env`), `stdin` as its input, output captured."""
    return subprocess.run(
        cli_command(*args),
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def run_cli(
    emu: Any, *args: str, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would, with the emulator's URL and key in the environment."""
    return run_with_env(cli_env(emu), *args, stdin=stdin, timeout=timeout)


def run_many(
    emu: Any, *commands: list[str], timeout: float = 120
) -> list[subprocess.CompletedProcess[str]]:
    """`run_cli` for several commands at once (subprocesses are slow on a loaded machine)."""
    env = cli_env(emu)
    procs = [
        (
            args,
            subprocess.Popen(
                cli_command(*args),
                env=env,
                text=True,
                stdin=subprocess.DEVNULL,
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
    return run_with_env(cli_env(home=home), *args, timeout=timeout)
