"""Start-up image set-up: the probe is asked once (not for a forced setting), textual-image's own
probe stays silent after ours, and kitty graphics are wrapped for tmux passthrough."""

from __future__ import annotations

import io
import sys

import pytest

from comfytui.terminal import protocol
from comfytui.terminal.probe import TerminalFacts
from comfytui.ui import imagesetup


@pytest.fixture(autouse=True)
def _forget_choice():
    yield
    protocol.choose(None)


def test_forced_setting_asks_nothing():
    asked = []
    decision = imagesetup.prepare("halfblock", ask=lambda: asked.append(1) or TerminalFacts())
    assert asked == [] and decision.mode == "halfcell"
    assert protocol.chosen() == decision


def test_auto_asks_once_and_detect_mode_follows(monkeypatch):
    from textual_image import _terminal

    from comfytui.ui.runs.preview import detect_mode

    calls = []
    real = _terminal.capture_terminal_response
    kitty = TerminalFacts(tty=True, da1=(62,), xtversion="kitty(0.35.2)", kitty_graphics=True)
    decision = imagesetup.prepare("auto", ask=lambda: calls.append(1) or kitty)
    assert calls == [1] and decision.mode == "tgp"
    assert detect_mode("auto") == "tgp"
    assert detect_mode("sixel") == "sixel"  # a setting still forces its renderer
    assert _terminal.capture_terminal_response is real  # restored after the silent import


def test_textual_image_probe_is_silenced_during_import(monkeypatch):
    """Importing textual-image after our probe must not send its own queries."""
    from textual_image import _terminal

    for name in [m for m in sys.modules if m.startswith("textual_image.")]:
        if name not in ("textual_image._terminal", "textual_image._posix", "textual_image._win32"):
            monkeypatch.delitem(sys.modules, name)
    sent = []

    def spy(*args, **kwargs):
        sent.append(args)
        raise _terminal.TerminalError("spy")

    monkeypatch.setattr(_terminal, "capture_terminal_response", spy)
    monkeypatch.setattr(sys.__stdout__, "isatty", lambda: True, raising=False)
    imagesetup._ready_textual_image(TerminalFacts(tty=True, da1=(1, 2)), asked=True)
    assert sent == []  # the library asked nothing; our stub answered for it
    assert _terminal.capture_terminal_response is spy  # and what was there is back


def test_tmux_wrap_doubles_escapes():
    assert imagesetup.tmux_wrap("\x1b_Ga=q\x1b\\") == "\x1bPtmux;\x1b\x1b_Ga=q\x1b\x1b\\\x1b\\"


def test_kitty_graphics_wrapped_in_tmux(monkeypatch):
    from textual_image.renderable import tgp

    monkeypatch.setattr(tgp, "_send_tgp_message", tgp._send_tgp_message)
    out = io.StringIO()
    monkeypatch.setattr(sys, "__stdout__", out)
    tmux = TerminalFacts(
        tty=True, da1=(1, 2), env={"TMUX": "/t,1,0"}, tmux_passthrough="on",
        tmux_client="kitty(0.35.0)",
    )  # fmt: skip
    decision = imagesetup.prepare("auto", ask=lambda: tmux)
    assert decision.tmux_passthrough
    tgp._send_tgp_message(a="p", i=7, q=2)
    assert out.getvalue() == "\x1bPtmux;\x1b\x1b_Ga=p,i=7,q=2\x1b\x1b\\\x1b\\"
