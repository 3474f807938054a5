"""The package as users install it: a built wheel in a fresh venv outside the checkout.

A file missing from the wheel (a module, a stylesheet, emulator data) fails here, not on a user's
machine. Users install with pipx / uv tool / pip, never editable, so this is the install they get.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Run inside the installed package's interpreter: the first screen renders with its styles.
HEADLESS_TUI = r"""
import asyncio, sys, time
from pathlib import Path
import comfytui
from comfytui.settings import load_settings
from comfytui.ui.app import ComfyTUI

async def main():
    app = ComfyTUI(load_settings(keyring_lookup=False))
    paths = [Path(p) for p in app.css_path]
    assert paths, "no stylesheets"
    package = Path(comfytui.__file__).parent
    for path in paths:
        assert path.is_file() and package in path.parents, path
    async with app.run_test(size=(120, 35)) as pilot:
        deadline = time.monotonic() + 60
        while not (app.session is not None and app.main.pane("deployments").table.row_count):
            assert time.monotonic() < deadline, "first screen never filled"
            await pilot.pause(0.05)
        # a rule from styles/app.tcss is in force: the status bar is one row, padded by one
        bar = app.main.query_one("#status-bar")
        assert (bar.styles.padding.left, bar.size.height) == (1, 1), (bar.styles.padding, bar.size)
        print("rendered", len(paths), "stylesheets")
    app.exit()

asyncio.run(main())
"""


def _run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> str:
    done = subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """Build the wheel and install it (with its dependencies) into a venv outside the checkout."""
    scratch = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    dist = scratch / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        env,
        scratch,
    )
    wheels = list(dist.glob("comfytui-*.whl"))
    assert len(wheels) == 1, wheels
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "comfytui/styles/app.tcss" in names, "stylesheets not in the wheel"
    target = scratch / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", str(wheels[0])], env, scratch, 600)
    return target


def _user_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["COMFYTUI_HOME"] = str(tmp_path / "home")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    for name in ("COMFY_DEPLOY_API_KEY", "COMFY_DEPLOY_API_URL"):
        env.pop(name, None)
    return env


def test_installed_wheel_runs_the_cli_in_demo_mode(installed, tmp_path):
    env = _user_env(tmp_path)
    exe = str(installed / "bin" / "comfytui")
    version = _run([exe, "--version"], env, tmp_path)
    assert version.startswith("comfytui ")
    listing = json.loads(_run([exe, "ls", "deployments", "--json"], env, tmp_path))
    rows = listing["items"] if isinstance(listing, dict) else listing
    assert any(row["name"] == "txt2img" for row in rows), rows


def test_installed_wheel_renders_the_tui_with_its_styles(installed, tmp_path):
    env = _user_env(tmp_path)
    script = tmp_path / "headless.py"
    script.write_text(HEADLESS_TUI)
    out = _run([str(installed / "bin" / "python"), str(script)], env, tmp_path)
    assert "rendered" in out
    # the package came from the venv, not from the checkout
    where = _run(
        [str(installed / "bin" / "python"), "-c", "import comfytui; print(comfytui.__file__)"],
        env,
        tmp_path,
    )
    assert str(installed) in where and str(ROOT) not in where
