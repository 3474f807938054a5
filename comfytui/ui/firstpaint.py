"""`FirstPaint`: the first network use waits until every pane's cached rows are on screen.

Start-up paints the cached rows of the four panes first. Building the HTTP client (httpx,
httpcore, ssl, the retry stack, the TLS store), starting the demo emulator and the first
revalidation all cost CPU on a loop that is still composing and painting, so each pane waits
here after its own rows are painted: the gate opens when the last pane's rows are on screen
(or after `timeout`, so a pane whose cache read failed holds nobody up), and the waiters go on
once the app has settled after that paint: the process idle for `quiet` seconds in a row (the
frame written to the terminal, nothing else pending), at most `settle` seconds, so the frame is
out before the heavy work starts. (Textual's `wait_for_idle` takes one idle 20 ms window: the
start of the emulator or the HTTP client in a thread then ran while the frame was still going
out.)
"""

from __future__ import annotations

import asyncio
import contextlib
from time import monotonic, process_time

WINDOW = 0.02  # seconds a look at the process's CPU lasts
IDLE_CPU = WINDOW / 20  # CPU seconds in a window that still count as idle (as Textual's)


class FirstPaint:
    """A gate that opens once `expected` distinct parts said they are painted."""

    def __init__(
        self, expected: int, timeout: float = 3.0, settle: float = 0.5, quiet: float = 0.08
    ) -> None:
        self.expected = expected
        self.timeout = timeout
        self.settle = settle
        self.quiet = quiet
        self._painted: set[str] = set()
        self._open = asyncio.Event()
        self._settled: asyncio.Task[None] | None = None

    @property
    def is_open(self) -> bool:
        return self._open.is_set()

    def painted(self, part: str) -> None:
        self._painted.add(part)
        if len(self._painted) >= self.expected:
            self._open.set()

    def release(self) -> None:
        """Open the gate whoever has painted (a screen that will never paint them all)."""
        self._open.set()

    async def wait(self) -> None:
        if not self._open.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._open.wait(), self.timeout)
            self._open.set()  # timed out: open for everyone else too
        if self._settled is None:
            self._settled = asyncio.ensure_future(self._settle())
        await asyncio.shield(self._settled)

    async def _settle(self) -> None:
        deadline = monotonic() + self.settle
        idle_since: float | None = None
        while (now := monotonic()) < deadline:
            if idle_since is not None and now - idle_since >= self.quiet:
                return
            cpu = process_time()
            await asyncio.sleep(WINDOW)
            if process_time() - cpu < IDLE_CPU:
                idle_since = now if idle_since is None else idle_since
            else:
                idle_since = None
