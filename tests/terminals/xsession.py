"""A headless X display, a real terminal emulator on it, keys and screenshots (issue 15).

`XDisplay` starts Xvfb on a free display number (`-displayfd`). `TerminalApp` opens one terminal
emulator (xterm as a VT340, mlterm, kitty) running comfytui in demo mode behind
`benchmarks.ptyrun`'s byte-counting proxy, so the bytes the terminal receives are logged without
touching the app. Keys go in with `xdotool` (XTEST, to the window under the pointer: there is no
window manager), screenshots come from ImageMagick's `import -window root`.

Everything waits for a condition with a generous deadline; nothing sleeps for correctness.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from PIL import Image

from benchmarks.ptyrun import Window, log_window

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("Xvfb", "xterm", "mlterm", "kitty", "import", "xdotool")
T = TypeVar("T")


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def wait_for(condition: Callable[[], T], timeout: float, what: str, every: float = 0.25) -> T:
    """Poll `condition` until it returns something truthy; fail saying `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


class XDisplay:
    """Xvfb on the first free display; `env` points X clients at it."""

    def __init__(self, width: int = 1600, height: int = 1000) -> None:
        read, write = os.pipe()
        self.proc = subprocess.Popen(  # noqa: S603 - a system tool
            ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24"]
            + ["-nolisten", "tcp", "+extension", "GLX"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as answer:
            number = answer.readline().strip()  # Xvfb writes it once the display accepts clients
        if not number:
            self.proc.kill()
            raise RuntimeError("Xvfb did not start")
        self.name = f":{number}"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, DISPLAY=self.name, **extra)
        for name in ("TMUX", "KITTY_WINDOW_ID", "TERM_PROGRAM", "WAYLAND_DISPLAY"):
            env.pop(name, None)
        return env

    def screenshot(self, path: Path | None = None) -> Image.Image:
        with tempfile.NamedTemporaryFile(suffix=".png") as tmp:
            target = str(path) if path else tmp.name
            subprocess.run(  # noqa: S603 - a system tool
                ["import", "-display", self.name, "-window", "root", target],
                check=True,
                capture_output=True,
                timeout=60,
            )
            with Image.open(target) as shot:
                return shot.convert("RGB")

    def xdotool(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - a system tool
            ["xdotool", *args], env=self.env(), check=True, capture_output=True, timeout=30
        )

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass(frozen=True)
class Terminal:
    """How to start one terminal emulator with a command, at 120x36 cells, top-left."""

    name: str
    argv: tuple[str, ...]  # the command follows
    env: tuple[tuple[str, str], ...] = ()
    image_protocol: str = "auto"  # what comfytui's config forces ("auto": its own choice)


TERMINALS = {
    "xterm": Terminal(
        "xterm",
        ("xterm", "-ti", "vt340", "-geometry", "120x36+0+0", "-e"),
    ),
    "mlterm": Terminal("mlterm", ("mlterm", "--geometry", "120x36+0+0", "-e")),
    # Debian 12's kitty 0.26.5 has no Unicode placeholders (textual-image's Kitty placement):
    # the protocol decision (comfytui/terminal/protocol.py) picks half-blocks for it by itself.
    "kitty": Terminal(
        "kitty",
        ("kitty", "-o", "remember_window_size=no", "-o", "initial_window_width=120c")
        + ("-o", "initial_window_height=36c", "--"),
        env=(("LIBGL_ALWAYS_SOFTWARE", "1"),),
    ),
}


@dataclass
class TerminalApp:
    """comfytui (demo mode, `home`) in `terminal` on `display`, behind the byte-counting proxy."""

    display: XDisplay
    terminal: Terminal
    home: Path
    workdir: Path
    log: Path = field(init=False)

    def start(self) -> TerminalApp:
        self.log = self.workdir / f"{self.terminal.name}-bytes.log"
        self.log.unlink(missing_ok=True)
        comfytui = str(Path(sys.executable).parent / "comfytui")
        proxy = [sys.executable, "-m", "benchmarks.ptyrun", str(self.log), "--", comfytui]
        env = self.display.env(
            COMFYTUI_HOME=str(self.home), PYTHONPATH=str(ROOT), **dict(self.terminal.env)
        )
        env.pop("COMFY_DEPLOY_API_KEY", None)
        env.pop("COMFYTUI_DEBUG", None)
        self.stderr = open(self.workdir / f"{self.terminal.name}-stderr.txt", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(  # noqa: S603 - a system tool
            [*self.terminal.argv, *proxy],
            env=env,
            cwd=ROOT,
            stdout=self.stderr,
            stderr=self.stderr,
            start_new_session=True,
        )
        return self

    def alive(self) -> bool:
        return self.proc.poll() is None

    def bytes_between(self, start: float, end: float) -> Window:
        return log_window(str(self.log), start, end)

    def wait_quiet(
        self,
        timeout: float = 90.0,
        quiet_s: float = 1.5,
        below: int = 256,
        since: float | None = None,
    ) -> None:
        """Wait until the app drew (after `since`, a key press) and then sent under `below`
        bytes in `quiet_s`: it has reacted and settled."""

        def quiet() -> bool:
            if not self.alive():
                raise AssertionError(f"{self.terminal.name} exited ({self.proc.returncode})")
            now = time.time()
            drew = (
                self.bytes_between(since, now).bytes > 0
                if since is not None
                else self.bytes_between(0, now).bytes > 2000
            )
            return drew and self.bytes_between(now - quiet_s, now).bytes < below

        wait_for(quiet, timeout, f"{self.terminal.name}: the app to draw and go idle")

    def key(self, *keys: str) -> float:
        """Type keys into the window (the pointer rests over it: no window manager here).

        Returns the time just before the first key, for `wait_quiet(since=...)`.
        """
        self.display.xdotool("mousemove", "5", "5")
        pressed = time.time()
        for key in keys:
            self.display.xdotool("key", key)
        return pressed

    def press(self, *keys: str, below: int = 256) -> None:
        """Press keys and wait until the app has drawn its answer and settled."""
        self.wait_quiet(since=self.key(*keys), below=below)

    def stop(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.stderr.close()
