"""Tell the user a run ended while they looked elsewhere: bell, terminal or desktop notification.

Shared by the TUI and the CLI (`run --wait --notify`); no Textual here. The terminal routes are
OSC 9 (iTerm2, WezTerm, Ghostty, kitty) and OSC 777 (foot, urxvt), wrapped for tmux; the desktop
route is `notify-send` (libnotify) when it is on PATH and a display is set. Settings:
`notify = "auto" | "off" | "terminal" | "desktop"` and `bell = true`; "off" silences both.

Server text (run errors, deployment names) never reaches an escape sequence raw: `clean()` strips
escapes and control characters (a BEL or ST inside would end the sequence early) and the field
separator `;`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from comfytui.sanitize import plain

BEL = "\a"
OSC777_TERMS = ("foot", "rxvt")
OSC9_PROGRAMS = ("iTerm.app", "WezTerm", "ghostty")
OSC9_TERMS = ("xterm-kitty", "xterm-ghostty", "wezterm")


def clean(text: object, limit: int = 200) -> str:
    """One line with no escape, no control character and no `;` (an OSC field separator)."""
    return plain(text, limit).replace(";", ",")


def osc9(body: str) -> str:
    return f"\x1b]9;{clean(body)}\x07"


def osc777(title: str, body: str) -> str:
    return f"\x1b]777;notify;{clean(title, 60)};{clean(body)}\x07"


def for_tmux(sequence: str, env: Mapping[str, str]) -> str:
    """Inside tmux the sequence is passed through to the outer terminal (DCS tmux; ...)."""
    if not env.get("TMUX"):
        return sequence
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def terminal_kind(env: Mapping[str, str]) -> str | None:
    """ "osc9", "osc777", or None when the terminal is not known to show notifications."""
    term = env.get("TERM", "")
    if any(term.startswith(t) for t in OSC777_TERMS):
        return "osc777"
    if env.get("TERM_PROGRAM") in OSC9_PROGRAMS or term in OSC9_TERMS:
        return "osc9"
    if env.get("KITTY_WINDOW_ID") or env.get("WEZTERM_PANE"):
        return "osc9"
    return None


def terminal_sequence(title: str, body: str, env: Mapping[str, str]) -> str:
    kind = terminal_kind(env)
    sequence = osc777(title, body) if kind == "osc777" else osc9(f"{title}: {body}")
    return for_tmux(sequence, env)


@dataclass
class Notifier:
    """`run_ended(title, body)` rings and notifies as the settings say; returns what it did."""

    mode: str = "auto"
    bell: bool = False
    write: Callable[[str], object] | None = None  # the terminal (None: no terminal route)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    which: Callable[[str], str | None] = shutil.which
    spawn: Callable[..., Any] = subprocess.Popen

    def run_ended(self, title: str, body: str) -> list[str]:
        done: list[str] = []
        if self.mode == "off":
            return done
        if self.bell and self.write is not None:
            self.write(BEL)
            done.append("bell")
        route = self._route()
        if route == "terminal" and self.write is not None:
            self.write(terminal_sequence(title, body, self.env))
            done.append("terminal")
        elif route == "desktop" and self._desktop(title, body):
            done.append("desktop")
        return done

    def _route(self) -> str | None:
        if self.mode in ("terminal", "desktop"):
            return self.mode
        if terminal_kind(self.env) is not None:
            return "terminal"
        if self._has_desktop():
            return "desktop"
        return None

    def _has_desktop(self) -> bool:
        shown = self.env.get("DISPLAY") or self.env.get("WAYLAND_DISPLAY")
        return bool(shown) and self.which("notify-send") is not None

    def _desktop(self, title: str, body: str) -> bool:
        exe = self.which("notify-send")
        if exe is None:
            return False
        try:  # argv, never a shell; the text is cleaned all the same
            self.spawn(
                [exe, "--app-name=comfytui", clean(title, 60), clean(body)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return False
        return True


def terminal_writer(stream: TextIO | None = None) -> Callable[[str], object] | None:
    """A writer to the user's terminal for the CLI: stderr when it is one, else None."""
    out = stream or sys.stderr
    if not out.isatty():
        return None

    def write(text: str) -> None:
        out.write(text)
        out.flush()

    return write
