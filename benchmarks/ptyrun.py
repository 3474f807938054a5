"""Run a program under a pseudo-terminal and count what it writes to the terminal, over time.

Used by `bench_terminal` (the app and a bare Textual app on the same pty size) and by the real
terminal suite (`tests/terminals/`), which wraps comfytui in `python -m benchmarks.ptyrun` to
count the bytes a real terminal receives while idle.

`PtyRecorder` keeps every chunk's arrival time, its size and how many image transmissions it holds
(Sixel `ESC P ... q` and Kitty graphics `ESC _ G` introducers), so any window can be summed after
the fact.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: image transmissions: a Sixel DCS (ESC P, optional numeric params, `q`) or a Kitty APC `ESC _ G`
IMAGE_START = re.compile(rb"\x1bP[0-9;]*q|\x1b_G")


def set_winsize(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, cols * 10, rows * 20))


def copy_winsize(source: int, target: int) -> None:
    """Give `target` the window size of `source` as is: cells and the terminal's own pixels.

    The pixel size matters: textual-image takes the cell size from it, so a made-up one would
    scale every Sixel image wrongly (xterm's cells are 6x13, not 10x20).
    """
    size = fcntl.ioctl(source, termios.TIOCGWINSZ, b"\0" * 8)
    fcntl.ioctl(target, termios.TIOCSWINSZ, size)


@dataclass
class Window:
    seconds: float
    bytes: int
    images: int
    cpu: float | None = None

    @property
    def bytes_per_s(self) -> float:
        return self.bytes / self.seconds if self.seconds else 0.0


@dataclass
class PtyRecorder:
    """A child on a fresh pty; a thread drains the master side and records every chunk."""

    argv: Sequence[str]
    env: Mapping[str, str] | None = None
    cols: int = 120
    rows: int = 35
    pass_fds: tuple[int, ...] = ()
    times: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    images: list[int] = field(default_factory=list)
    keep: bool = False  # keep the raw chunks too (debugging: what exactly was written)
    chunks: list[bytes] = field(default_factory=list)

    def start(self) -> PtyRecorder:
        master, slave = os.openpty()
        set_winsize(slave, self.cols, self.rows)
        self.master = master
        self.proc = subprocess.Popen(  # noqa: S603 - our own program
            list(self.argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=dict(self.env) if self.env is not None else None,
            pass_fds=self.pass_fds,
            start_new_session=True,
            preexec_fn=_controlling_tty,
        )
        os.close(slave)
        self._lock = threading.Lock()
        self._tail = b""
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()
        return self

    def _drain(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.5)
                if not ready:
                    if self.proc.poll() is not None:
                        return
                    continue
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            data = self._tail + chunk
            count = len(IMAGE_START.findall(data)) - len(IMAGE_START.findall(self._tail))
            self._tail = chunk[-8:]
            with self._lock:
                self.times.append(time.monotonic())
                self.sizes.append(len(chunk))
                self.images.append(count)
                if self.keep:
                    self.chunks.append(chunk)
            _answer_queries(self.master, chunk)

    def window(self, start: float, end: float) -> Window:
        with self._lock:
            lo = bisect.bisect_left(self.times, start)
            hi = bisect.bisect_right(self.times, end)
            return Window(end - start, sum(self.sizes[lo:hi]), sum(self.images[lo:hi]))

    def measure(self, seconds: float) -> Window:
        """Bytes (and CPU seconds of the child) over the next `seconds`."""
        cpu0 = cpu_seconds(self.proc.pid)
        start = time.monotonic()
        time.sleep(seconds)
        end = time.monotonic()
        cpu1 = cpu_seconds(self.proc.pid)
        window = self.window(start, end)
        if cpu0 is not None and cpu1 is not None:
            window.cpu = cpu1 - cpu0
        return window

    def total(self) -> int:
        with self._lock:
            return sum(self.sizes)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._thread.join(timeout=5)
        os.close(self.master)


def _controlling_tty() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _answer_queries(master: int, chunk: bytes) -> None:
    """Answer the cursor-position query (ESC [ 6 n) as a terminal would; the rest go unanswered."""
    if b"\x1b[6n" in chunk:
        with contextlib.suppress(OSError):
            os.write(master, b"\x1b[1;1R")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of `pid` (all its threads), from /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


# --- `python -m benchmarks.ptyrun LOG -- CMD...`: a transparent proxy that logs byte counts -------


def proxy(log_path: str, argv: list[str]) -> int:
    """Run `argv` on a pty between this terminal and it; append `time bytes images` lines to LOG.

    The real terminal suite starts comfytui through this inside xterm/mlterm/kitty, so the bytes
    the terminal receives are counted without touching the app.
    """
    import tty

    master, slave = os.openpty()
    copy_winsize(sys.stdout.fileno(), slave)
    proc = subprocess.Popen(  # noqa: S603 - the command the caller gave
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        preexec_fn=_controlling_tty,
    )
    os.close(slave)

    def resized(*_: object) -> None:
        copy_winsize(sys.stdout.fileno(), master)
        os.killpg(proc.pid, signal.SIGWINCH)

    signal.signal(signal.SIGWINCH, resized)
    saved = termios.tcgetattr(0)
    tty.setraw(0)
    tail = b""
    with open(log_path, "a", encoding="ascii", buffering=1) as log:
        try:
            while True:
                try:
                    ready, _, _ = select.select([master, 0], [], [], 0.5)
                except InterruptedError:
                    continue
                if master in ready:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    os.write(1, chunk)
                    data = tail + chunk
                    images = len(IMAGE_START.findall(data)) - len(IMAGE_START.findall(tail))
                    tail = chunk[-8:]
                    log.write(f"{time.time():.3f} {len(chunk)} {images}\n")
                if 0 in ready:
                    data = os.read(0, 65536)
                    if not data:
                        break
                    os.write(master, data)
        finally:
            termios.tcsetattr(0, termios.TCSADRAIN, saved)
    return proc.wait()


def log_window(log_path: str, start: float, end: float) -> Window:
    """Bytes and image transmissions a `proxy` LOG holds between two `time.time()` instants."""
    total = images = 0
    try:
        with open(log_path, encoding="ascii") as log:
            for line in log:
                parts = line.split()
                if len(parts) == 3 and start <= float(parts[0]) <= end:
                    total += int(parts[1])
                    images += int(parts[2])
    except FileNotFoundError:
        pass
    return Window(end - start, total, images)


if __name__ == "__main__":
    log_file, sep, *command = sys.argv[1:]
    if sep != "--" or not command:
        raise SystemExit("usage: python -m benchmarks.ptyrun LOG -- COMMAND [ARGS...]")
    raise SystemExit(proxy(log_file, command))
