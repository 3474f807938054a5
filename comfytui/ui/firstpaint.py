"""`FirstPaint`: the first network use waits until every pane's cached rows are on screen.

Start-up paints the cached rows of the four panes first. Building the HTTP client (httpx,
httpcore, ssl, the retry stack, the TLS store), starting the demo emulator and the first
revalidation all cost CPU on a loop that is still composing and painting, so each pane waits
here after its own rows are painted: the gate opens when the last pane's rows are on screen
(or after `timeout`, so a pane whose cache read failed holds nobody up).
"""

from __future__ import annotations

import asyncio
import contextlib


class FirstPaint:
    """A gate that opens once `expected` distinct parts said they are painted."""

    def __init__(self, expected: int, timeout: float = 3.0) -> None:
        self.expected = expected
        self.timeout = timeout
        self._painted: set[str] = set()
        self._open = asyncio.Event()

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
        if self._open.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._open.wait(), self.timeout)
        self._open.set()  # timed out: open for everyone else too
