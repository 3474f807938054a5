"""`comfytui doctor`: version, paths, API host without the key, and the image renderer chosen.

One run is on a real pty whose other side answers like kitty 0.26.5 (Debian 12's kitty: Kitty
graphics, no Unicode placeholders), so the whole path (probe -> decision -> report) is driven.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time

from comfytui.terminal.probe import DA1, KITTY_QUERY_ID
from tests.support_cli import ROOT

SECRET = "doctor-secret-key-0123456789"


def _env(tmp_path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, COMFYTUI_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    for key in ("COMFY_DEPLOY_API_KEY", "COMFY_DEPLOY_API_URL", "TMUX", "KITTY_WINDOW_ID"):
        env.pop(key, None)
    env.update(extra)
    return env


def _doctor(tmp_path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "comfytui", "doctor", *args],
        capture_output=True,
        text=True,
        env=_env(tmp_path, **extra),
        timeout=120,
        check=False,
        start_new_session=True,  # no controlling terminal: /dev/tty cannot be asked
    )


def test_doctor_lines_never_show_the_key(tmp_path):
    done = _doctor(
        tmp_path,
        COMFY_DEPLOY_API_KEY=SECRET,
        COMFY_DEPLOY_API_URL=f"https://user:{SECRET}@api.example.test:8443/api",
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert SECRET not in out + done.stderr
    lines = dict(line.split(":", 1) for line in out.splitlines())
    assert lines["api host"].strip() == "api.example.test:8443"
    assert lines["api key"].strip() == "env"
    assert lines["dialect"].strip() == "auto"
    assert lines["config"].strip().startswith(str(tmp_path))
    assert lines["cache"].strip() == str(tmp_path / "cache" / "cache.db")
    assert lines["images"].strip() == "half-blocks: not a terminal (no graphics query possible)"
    from comfytui import __version__

    assert lines["comfytui"].strip() == __version__


def test_doctor_json_and_forced_protocol(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text('image_protocol = "sixel"\n')
    done = _doctor(tmp_path, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["image_renderer"] == "sixel" and "forces" in data["image_reason"]
    assert data["image_auto"].startswith("half-blocks")
    assert data["config_exists"] is True and data["api_key"].startswith("none: demo")
    assert data["terminal"]["tty"] is False


def test_doctor_in_kitty_0_26_on_a_pty(tmp_path):
    """The pty's other side answers as kitty 0.26.5 did under Xvfb; doctor says half-blocks."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "comfytui", "doctor"],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=_env(tmp_path, TERM="xterm-kitty", KITTY_WINDOW_ID="1"),
        start_new_session=True,
    )
    os.close(slave)
    received, answered = b"", False
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the pty
                break
            if not chunk:
                break
            received += chunk
            if not answered and DA1.encode() in received:
                answered = True
                reply = (
                    b"\x1bP>|kitty(0.26.5)\x1b\\"
                    + f"\x1b_Gi={KITTY_QUERY_ID};OK\x1b\\".encode()
                    + b"\x1b[?62;c"
                )
                os.write(master, reply)
        proc.wait(timeout=60)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    text = received.decode("utf-8", "replace")
    assert answered, text
    assert "images:" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("images:"))
    assert "half-blocks" in line and "kitty 0.26.5" in line and "0.28" in line
    assert "XTVERSION kitty(0.26.5)" in text and "kitty graphics OK" in text
