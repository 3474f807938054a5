"""`FirstPaint`: the first network use waits until every pane's cached rows are on screen.

Start-up paints the cached rows of the four panes first. Building the HTTP client (httpx,
httpcore, ssl, the retry stack, the TLS store), starting the demo emulator and the first
revalidation all cost CPU on a loop that is still composing and painting, so each pane waits
here after its own rows are painted: the gate opens when the last pane's rows are on screen
(or after `timeout`, so a pane whose cache read failed holds nobody up), and the waiters go on
once the app has settled after that paint (the process idle for a moment: Textual's own
`wait_for_idle`, at most `settle` seconds), so the frame is out before the heavy work starts.
"""

from __future__ import annotations

import asyncio
import contextlib


class FirstPaint:
    """A gate that opens once `expected` distinct parts said they are painted."""

    def __init__(self, expected: int, timeout: float = 3.0, settle: float = 0.5) -> None:
        self.expected = expected
        self.timeout = timeout
        self.settle = settle
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
        from textual._wait import wait_for_idle  # private, stable since 0.x; pinned <9

        await wait_for_idle(0.0, self.settle)
