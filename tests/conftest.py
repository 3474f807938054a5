"""Shared fixtures: isolated folders for every test, and the emulator on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# The real-terminal suite (Xvfb, xterm, mlterm, kitty) runs only under `make test-terminals`.
collect_ignore = [] if os.environ.get("COMFYTUI_TERMINALS") else ["terminals"]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Point config, cache and data at tmp_path; a developer's settings never leak in."""
    home = tmp_path / "home"
    monkeypatch.setenv("COMFYTUI_HOME", str(home))
    for name in ("COMFY_DEPLOY_API_KEY", "COMFY_DEPLOY_API_URL", "COMFYTUI_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return home


@pytest.fixture(autouse=True)
def toasts_stay(monkeypatch):
    """A toast stays in `app._notifications` until the test ends: on a loaded machine the steps
    between a notification and the check reading it can outlast its few seconds on screen."""
    from textual.app import App

    notify = App.notify

    def notify_and_keep(self, message, *, timeout=None, **kwargs):
        notify(self, message, timeout=3600.0, **kwargs)

    monkeypatch.setattr(App, "notify", notify_and_keep)


@pytest.fixture(scope="session")
def _shared_emulator() -> Iterator[object]:
    from comfytui.emulator.server import EmulatorServer

    with EmulatorServer(dialect="v2", speed=0.0, seed=0) as emu:
        yield emu


@pytest.fixture
def emulator(_shared_emulator):
    """The session's v2 emulator at speed 0, reset to its seed state before each test."""
    _shared_emulator.reset()
    return _shared_emulator


@pytest.fixture
def api(emulator) -> Iterator[object]:
    """An httpx client on the emulator's API with its key: tests of the emulator's routes."""
    import httpx

    with httpx.Client(
        base_url=emulator.api_url,
        timeout=20,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
    ) as client:
        yield client


@pytest.fixture
def emulator_factory() -> Iterator[object]:
    """Start a private emulator (other dialect, speed, faults, or one a test may stop)."""
    from comfytui.emulator.server import EmulatorServer

    started: list[EmulatorServer] = []

    def make(**kwargs) -> EmulatorServer:
        kwargs.setdefault("speed", 0.0)
        emu = EmulatorServer(**kwargs)
        emu.start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()
