"""Run progress on stderr: a redrawn bar on a terminal, plain lines in logs and pipes.

stdout is kept for results (run id, saved paths, JSON), so progress never mixes into what a
script captures.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

from comfytui.formats import seconds_text
from comfytui.models import Run
from comfytui.sanitize import plain

BAR_WIDTH = 24


class Progress:
    """Report run changes and upload progress; `tty=None` asks the stream."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self._last_line = ""
        self._drawn = False
        self._last_bucket = -1
        self._started = time.monotonic()

    # --- runs ---------------------------------------------------------------------------------

    def update(self, run: Run) -> None:
        status = run.status.value
        live = plain(run.live_status or "", 60)
        percent = None if run.progress is None else max(0.0, min(run.progress, 1.0)) * 100
        if self.tty:
            self._draw(self._bar_line(status, percent, live))
            return
        bucket = 0 if percent is None else int(percent // 10)
        line = f"{run.id}: {status}"
        if percent is not None:
            line += f" {percent:.0f}%"
        if live:
            line += f" {live}"
        key = f"{status}|{live}|{bucket}"
        if key != self._last_line:
            self._last_line = key
            self._write_line(line)

    def _bar_line(self, status: str, percent: float | None, live: str) -> str:
        elapsed = time.monotonic() - self._started
        if percent is None:
            bar = "[" + " " * BAR_WIDTH + "]    "
        else:
            filled = round(BAR_WIDTH * percent / 100)
            bar = "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + f"] {percent:3.0f}%"
        text = f"{bar} {status:<10} {seconds_text(elapsed):>6} {live}".rstrip()
        return text

    def line(self, text: str) -> None:
        """One redrawn line (a sweep's counts); in pipes written again only when it changes."""
        text = plain(text)
        if self.tty:
            self._draw(text)
        elif text != self._last_line:
            self._last_line = text
            self._write_line(text)

    # --- uploads ------------------------------------------------------------------------------

    def upload(self, name: str, sent: int, total: int | None) -> None:
        label = plain(name, 40)
        if self.tty:
            percent = 100.0 if not total else sent * 100 / total
            filled = round(BAR_WIDTH * percent / 100)
            self._draw(
                f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {percent:3.0f}% upload {label}"
            )
        elif total and sent >= total:
            self._write_line(f"uploaded {label} ({total} bytes)")

    # --- messages -----------------------------------------------------------------------------

    def note(self, text: str) -> None:
        """A line that stays (under the bar on a terminal)."""
        self._write_line(plain(text))

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False

    def _draw(self, text: str) -> None:
        width = max(shutil.get_terminal_size((80, 24)).columns - 1, 20)
        text = text[:width]
        self.stream.write("\r" + text + " " * (width - len(text)))
        self.stream.flush()
        self._drawn = True

    def _write_line(self, text: str) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self._drawn = False
        self.stream.write(text + "\n")
        self.stream.flush()
