"""Ask the terminal what it is and what it draws, once, before the app takes the terminal.

One write holds every question, DA1 last: XTVERSION (`CSI > 0 q`: name and version), a Kitty
graphics query (`APC G a=q`), the cell size in pixels (`CSI 16 t`, only when the kernel does not
know it) and DA1 (`CSI c`: attribute 4 = Sixel). Terminals answer in order, and every terminal
answers DA1, so reading stops at the DA1 reply: a terminal that ignores the other questions costs
no timeout. Only a terminal that does not answer DA1 at all costs `timeout` (0.5 s; a
terminal answers in 2-10 ms, but a cold-started kitty under load took over 0.2 s).

Inside tmux the answers come from tmux itself; the outer terminal's name comes from
`tmux display -p '#{client_termtype}'` and the passthrough setting from
`tmux show -gv allow-passthrough`. The decision is made in `comfytui.terminal.protocol`;
this module only gathers `TerminalFacts`. `parse_replies` is pure and unit-tested.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

#: environment variables that say which terminal this is
ENV_KEYS = (
    "TERM",
    "TERM_PROGRAM",
    "TERM_PROGRAM_VERSION",
    "KITTY_WINDOW_ID",
    "TMUX",
    "LC_TERMINAL",
)
TIMEOUT_S = 0.5  # only a terminal that never answers DA1 waits this long
KITTY_QUERY_ID = 31
XTVERSION = "\x1b[>0q"
KITTY_QUERY = f"\x1b_Gi={KITTY_QUERY_ID},s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
CELL_SIZE = "\x1b[16t"
DA1 = "\x1b[c"

_DA1_REPLY = re.compile(rb"\x1b\[\?([0-9;]*)c")
_XTVERSION_REPLY = re.compile(rb"\x1bP>\|([^\x1b\x07]*)(?:\x1b\\|\x07)")
_KITTY_REPLY = re.compile(rb"\x1b_G([^\x1b]*)\x1b\\")
_CELL_REPLY = re.compile(rb"\x1b\[6;(\d+);(\d+)t")


@dataclass(frozen=True)
class TerminalFacts:
    """What the terminal said about itself (None: no answer) and the environment around it."""

    tty: bool = False
    da1: tuple[int, ...] | None = None  # DA1 attributes; 4 = Sixel
    xtversion: str | None = None  # e.g. "kitty(0.35.2)", "XTerm(379)"
    kitty_graphics: bool = False  # the Kitty graphics query was answered OK
    cell: tuple[int, int] | None = None  # pixels per cell (width, height)
    env: Mapping[str, str] = field(default_factory=dict)
    tmux_passthrough: str | None = None  # tmux `allow-passthrough`: on | off | all
    tmux_client: str | None = None  # tmux `client_termtype`: the outer terminal's name(version)
    probe_ms: float = 0.0
    error: str | None = None  # why the terminal could not be asked

    @property
    def in_tmux(self) -> bool:
        return bool(self.env.get("TMUX"))


def parse_replies(data: bytes) -> dict[str, object]:
    """The answers found in what the terminal sent back (pure; unknown bytes are ignored)."""
    found: dict[str, object] = {}
    if match := _DA1_REPLY.search(data):
        found["da1"] = tuple(int(p) for p in match.group(1).split(b";") if p.isdigit())
    if match := _XTVERSION_REPLY.search(data):
        text = match.group(1).decode("utf-8", "replace")
        found["xtversion"] = "".join(ch for ch in text if ch.isprintable())[:80]
    for match in _KITTY_REPLY.finditer(data):
        body = match.group(1).decode("ascii", "replace")
        keys, _, status = body.partition(";")
        if f"i={KITTY_QUERY_ID}" in keys.split(","):
            found["kitty_graphics"] = status == "OK"
    if match := _CELL_REPLY.search(data):
        height, width = int(match.group(1)), int(match.group(2))
        if width > 0 and height > 0:
            found["cell"] = (width, height)
    return found


def kernel_cell_size(fd: int) -> tuple[int, int] | None:
    """Pixels per cell from TIOCGWINSZ, when the terminal tells the kernel its pixel size."""
    import fcntl
    import struct
    import termios

    try:
        rows, cols, width, height = struct.unpack(
            "HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
        )
    except OSError:
        return None
    if not (rows and cols and width and height):
        return None
    return width // cols, height // rows


@contextlib.contextmanager
def _cbreak(fd: int) -> Iterator[None]:
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd, termios.TCSANOW)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)


def ask_terminal(in_fd: int, out_fd: int, *, ask_cell: bool, timeout: float = TIMEOUT_S) -> bytes:
    """Send the questions and read the answers until the DA1 reply (or `timeout` of silence)."""
    query = XTVERSION + KITTY_QUERY + (CELL_SIZE if ask_cell else "") + DA1
    received = b""
    with _cbreak(in_fd):
        os.write(out_fd, query.encode())
        deadline = time.monotonic() + timeout
        while not _DA1_REPLY.search(received):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([in_fd], [], [], left)[0]:
                break
            chunk = os.read(in_fd, 4096)
            if not chunk:
                break
            received += chunk
    return received


def tmux_facts(run=subprocess.run) -> tuple[str | None, str | None]:  # noqa: ANN001
    """(allow-passthrough, client_termtype) of the tmux we run in; None where tmux says nothing."""
    try:
        done = run(
            [
                "tmux",
                "show",
                "-gv",
                "allow-passthrough",
                ";",
                "display",
                "-p",
                "#{client_termtype}",
            ],
            capture_output=True,
            text=True,
            timeout=1.0,
        )
    except (OSError, subprocess.SubprocessError):
        return None, None
    lines = [line.strip() for line in (done.stdout or "").splitlines()]
    passthrough = lines[0] if lines and lines[0] else None
    client = lines[1] if len(lines) > 1 and lines[1] else None
    return passthrough, client


def probe(
    environ: Mapping[str, str] | None = None,
    *,
    in_fd: int | None = None,
    out_fd: int | None = None,
    timeout: float = TIMEOUT_S,
    controlling_tty: bool = False,
) -> TerminalFacts:
    """Everything the decision needs; never raises (a failure is kept in `error`).

    `controlling_tty`: when stdin/stdout are not the terminal (`comfytui doctor > file`), ask
    the terminal through /dev/tty instead."""
    started = time.perf_counter()
    env_all = os.environ if environ is None else environ
    env = {key: env_all[key] for key in ENV_KEYS if env_all.get(key)}
    values: dict[str, object] = {"env": env}
    tmux: list[tuple[str | None, str | None]] = []
    asking_tmux = None
    if env.get("TMUX"):  # tmux answers in a thread while the terminal is asked (~20 ms each)
        asking_tmux = threading.Thread(target=lambda: tmux.append(tmux_facts()), daemon=True)
        asking_tmux.start()
    opened: int | None = None
    try:
        in_fd = sys.__stdin__.fileno() if in_fd is None else in_fd  # type: ignore[union-attr]
        out_fd = sys.__stdout__.fileno() if out_fd is None else out_fd  # type: ignore[union-attr]
        tty = os.isatty(in_fd) and os.isatty(out_fd)
    except (AttributeError, OSError, ValueError):
        tty = False
    if not tty and controlling_tty:
        with contextlib.suppress(OSError):
            opened = in_fd = out_fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
            tty = True
    values["tty"] = tty
    try:
        if tty:
            assert in_fd is not None and out_fd is not None
            values.update(_ask(in_fd, out_fd, timeout))
    finally:
        if opened is not None:
            os.close(opened)
    if asking_tmux is not None:
        asking_tmux.join(2.0)
        values["tmux_passthrough"], values["tmux_client"] = tmux[0] if tmux else (None, None)
    values["probe_ms"] = (time.perf_counter() - started) * 1000
    return TerminalFacts(**values)  # type: ignore[arg-type]


def _ask(in_fd: int, out_fd: int, timeout: float) -> dict[str, object]:
    values: dict[str, object] = {}
    cell = kernel_cell_size(out_fd)
    try:
        values.update(
            parse_replies(ask_terminal(in_fd, out_fd, ask_cell=cell is None, timeout=timeout))
        )
    except (OSError, ValueError) as exc:
        values["error"] = f"terminal query failed: {exc}"
    except Exception as exc:  # noqa: BLE001 - termios.error and friends: never stop the start
        values["error"] = f"terminal query failed: {type(exc).__name__}"
    if cell is not None:
        values["cell"] = cell
    if "da1" not in values and "error" not in values:
        values["error"] = f"no answer to DA1 within {timeout:.1f} s"
    return values
