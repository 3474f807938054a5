"""Notifications when a run started here ends unseen: bell and OSC sequences when the terminal is
unfocused or another screen shows; none while the user watches the run; none with notify = off.
Plus the sequences themselves (no server text raw inside) and the desktop route."""

from __future__ import annotations

import httpx
from support_ui import FIXED_NOW, panes_filled, settings_for, wait_until
from textual import events

from comfytui.notify import Notifier, clean, osc9, osc777, terminal_sequence
from comfytui.ui.app import ComfyTUI

SIZE = (120, 35)
WEZTERM = {"TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"}


def _app(emulator, writes: list[str], mode: str = "auto", bell: bool = True) -> ComfyTUI:
    app = ComfyTUI(settings_for(emulator, notify=mode, bell=bell), clock=lambda: FIXED_NOW)
    app._notifier = Notifier(mode=mode, bell=bell, write=writes.append, env=WEZTERM)
    return app


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _start_and_finish(pilot, app) -> str:
    before = set(app.started_here)
    app.run_command("run txt2img prompt=fox")
    await wait_until(pilot, lambda: len(app.started_here) > len(before))
    (run_id,) = app.started_here - before
    await _ended(pilot, app, run_id)
    return run_id


async def _ended(pilot, app, run_id: str) -> None:
    await wait_until(
        pilot,
        lambda: (
            (run := app.run_watcher.latest.get(run_id)) is not None
            and run.is_terminal
            and not app.run_watcher.is_watching(run_id)
        ),
        timeout=30,
    )


async def test_unfocused_terminal_gets_bell_and_osc(emulator):
    writes: list[str] = []
    app = _app(emulator, writes)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        app.post_message(events.AppBlur())
        await wait_until(pilot, lambda: not app.app_focus)
        run_id = await _start_and_finish(pilot, app)
        await wait_until(pilot, lambda: len(writes) == 2)
        assert writes[0] == "\a"
        assert writes[1].startswith("\x1b]9;comfytui: Run ") and writes[1].endswith("\x07")
        assert run_id[:8] in writes[1]
        assert any(run_id[:8] in t for t in _toasts(app))


async def test_watching_the_run_focused_gets_nothing(emulator):
    writes: list[str] = []
    app = _app(emulator, writes)
    httpx.post(f"{emulator.base_url}/_emulator/config", json={"speed": 1.0})
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: panes_filled(app))
            app.run_command("run txt2img prompt=fox")
            await wait_until(pilot, lambda: len(app.started_here) == 1)
            (run_id,) = app.started_here
            app.run_command(f"open {run_id}")
            await wait_until(pilot, lambda: getattr(app.screen, "run_id", None) == run_id)
            await _ended(pilot, app, run_id)
            await pilot.pause()
            assert app.app_focus and writes == []
    finally:
        httpx.post(f"{emulator.base_url}/_emulator/config", json={"speed": 0.0})


async def test_notify_off_writes_nothing(emulator):
    writes: list[str] = []
    app = _app(emulator, writes, mode="off")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        app.post_message(events.AppBlur())
        await wait_until(pilot, lambda: not app.app_focus)
        run_id = await _start_and_finish(pilot, app)
        await wait_until(pilot, lambda: any(run_id[:8] in t for t in _toasts(app)))
        assert writes == []


def test_server_text_never_reaches_the_sequence_raw():
    hostile = "boom\x07\x1b]52;c;ZXZpbA==\x07\x1b\\; rm -rf\x9b2J\nnext"
    for seq in (osc9(hostile), osc777("t;itle\x1b", hostile)):
        body = seq[4:-1] if seq.startswith("\x1b]9;") else seq[len("\x1b]777;notify;") : -1]
        assert "\x1b" not in body and "\x07" not in body and "\x9b" not in body
        assert seq.endswith("\x07") and seq.count("\x07") == 1
    assert osc777("t;itle", hostile).count(";") == 3  # only the separators
    assert clean("a;b\x1b[31mc") == "a,bc"


def test_terminal_kinds_and_tmux():
    assert terminal_sequence("T", "b", {"TERM": "foot"}) == "\x1b]777;notify;T;b\x07"
    assert terminal_sequence("T", "b", {"TERM_PROGRAM": "iTerm.app"}) == "\x1b]9;T: b\x07"
    wrapped = terminal_sequence("T", "b", {"TERM": "foot", "TMUX": "/tmp/x"})
    assert wrapped == "\x1bPtmux;\x1b\x1b]777;notify;T;b\x07\x1b\\"


def test_desktop_route_uses_notify_send_argv():
    calls: list[list[str]] = []
    writes: list[str] = []
    notifier = Notifier(
        mode="auto",
        write=writes.append,
        env={"TERM": "xterm", "DISPLAY": ":0"},
        which=lambda name: f"/usr/bin/{name}",
        spawn=lambda argv, **kw: calls.append(argv),
    )
    assert notifier.run_ended("comfytui", "Run ab failed: x\x1b[2J") == ["desktop"]
    assert calls == [
        ["/usr/bin/notify-send", "--app-name=comfytui", "comfytui", "Run ab failed: x"]
    ]
    assert writes == []
    # no display, unknown terminal: nothing but the toast the app shows anyway
    quiet = Notifier(env={"TERM": "xterm"}, write=writes.append, which=lambda n: None)
    assert quiet.run_ended("t", "b") == [] and writes == []
    assert Notifier(mode="terminal", bell=True, write=writes.append, env={}).run_ended(
        "t", "b"
    ) == ["bell", "terminal"]
    assert writes == ["\a", "\x1b]9;t: b\x07"]


def test_cli_run_wait_notify_writes_to_the_terminal(emulator, tmp_path):
    """`run --notify` in a real subprocess whose stderr is a terminal (a pty)."""
    import os
    import pty
    import subprocess
    import sys

    env = dict(os.environ)
    env.pop("COMFYTUI_DEBUG", None)
    env.pop("TMUX", None)
    env.update(
        COMFY_DEPLOY_API_URL=emulator.api_url,
        COMFY_DEPLOY_API_KEY=emulator.api_key,
        TERM_PROGRAM="WezTerm",
        COMFYTUI_HOME=str(tmp_path),
    )
    from comfytui.settings import load_settings

    config = load_settings(environ=env, keyring_lookup=False).locations.config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("bell = true\n")
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "comfytui", "run", "txt2img", "-i", "prompt=fox", "--notify"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the pty
            break
        if not data:
            break
        chunks.append(data)
    out, _ = proc.communicate(timeout=60)
    os.close(master)
    err = b"".join(chunks).decode()
    assert proc.returncode == 0, err
    run_id = out.decode().split()[0]
    assert "\a" in err
    assert f"\x1b]9;comfytui: run {run_id[:8]} ended success\x07" in err
