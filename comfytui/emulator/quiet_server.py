"""`QuietServer`: uvicorn's server, without its ten wake-ups a second when nothing happens.

uvicorn's `main_loop` sleeps 0.1 s at a time to look at `should_exit` (and refreshes the Date
header every tenth tick). The emulator runs two servers, in the TUI's own process in demo mode:
~20 wake-ups a second, about a tenth of a CPU second every 30 s on an idle screen. Here the loop
ticks once a second (the Date header keeps its one-second resolution) and `stop()` wakes it at
once, so shutting down is as quick as before.
"""

from __future__ import annotations

import asyncio
import contextlib

import uvicorn

TICKS_PER_SECOND = 10  # uvicorn's `on_tick` refreshes the Date header when counter % 10 == 0


class QuietServer(uvicorn.Server):
    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + TICKS_PER_SECOND) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 1.0)
            self._wake.clear()

    def stop(self) -> None:
        """Ask the server to exit (from any thread) and wake its loop to notice."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: stopping
                loop.call_soon_threadsafe(wake.set)
