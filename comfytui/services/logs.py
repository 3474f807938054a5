"""Run logs for the TUI and CLI: the client's log stream, the cache, and the run stream's lines.

`lines(run_id)` replays a finished run's log or follows a running one. For runs started here
(`cache.track_logs`, written by `runs.start`) every line seen is kept in the cache; a finished
run whose whole log is kept replays from there, and when the server has no log for a run (the
archive expired) or cannot be reached, the kept lines replay instead. `publish` feeds lines
from elsewhere (the v2 run stream's `log_update` events) to whoever follows that run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from comfytui.api.logs import LogsUnavailable
from comfytui.errors import CacheError, NotFoundError, NotSupportedError
from comfytui.models import LogLine
from comfytui.services.base import UNREACHABLE

if TYPE_CHECKING:  # the client (httpx) is built on first network use, not imported at start
    from comfytui.api import ComfyDeployClient
    from comfytui.cache import Cache

__all__ = ["LogService", "LogsUnavailable"]

log = logging.getLogger(__name__)

Note = Callable[[str], object]
Listener = Callable[[list[LogLine]], object]
FLUSH_LINES = 500  # lines buffered before a cache write
FLUSH_SECONDS = 0.5  # or this long since the last one


class _Keeper:
    """Buffers a followed log and appends it to the cache in batches (one transaction each)."""

    def __init__(self, cache: Cache, run_id: str) -> None:
        self.cache, self.run_id = cache, run_id
        self.buffer: list[LogLine] = []
        self.first = True
        self.last = time.monotonic()
        self.failed = False

    async def add(self, line: LogLine) -> None:
        self.buffer.append(line)
        if len(self.buffer) >= FLUSH_LINES or time.monotonic() - self.last > FLUSH_SECONDS:
            await self.flush()

    async def flush(self, *, complete: bool = False) -> None:
        if self.failed or (not self.buffer and not complete):
            return
        batch, self.buffer = self.buffer, []
        try:  # the server sends a log from its start on each connection: replace what was kept
            await self.cache.append_logs(self.run_id, batch, restart=self.first, complete=complete)
        except CacheError as exc:  # a log not kept is no reason to stop showing it
            log.warning("run log not cached: %s", exc)
            self.failed = True
        self.first, self.last = False, time.monotonic()


class LogService:
    def __init__(self, client: ComfyDeployClient, cache: Cache | None = None) -> None:
        self.client = client
        self.cache = cache
        self._listeners: dict[str, list[Listener]] = {}

    async def lines(
        self, run_id: str, *, log_level: str = "info", on_note: Note | None = None
    ) -> AsyncIterator[LogLine]:
        note = on_note or (lambda _text: None)
        tracked, complete = await self._state(run_id)
        if tracked and complete:
            note("replayed from the cache")
            for line in await self._cached(run_id):
                yield line
            return
        keeper = _Keeper(self.cache, run_id) if tracked and self.cache is not None else None
        sent = 0
        try:
            async for line in self.client.stream_logs(run_id, log_level=log_level):
                if keeper is not None:
                    await keeper.add(line)
                sent += 1
                yield line
        except NotSupportedError:
            raise NotSupportedError(
                f"{self.client.host} has no log route (legacy and self-hosted servers keep none)"
            ) from None
        except (NotFoundError, *UNREACHABLE) as exc:  # none kept there (LogsUnavailable), gone
            if keeper is not None:
                await keeper.flush()
            kept = await self._cached(run_id) if tracked and not sent else []
            if not kept:
                raise
            note(f"{exc}; replayed from the cache")
            for line in kept:
                yield line
            return
        if keeper is not None:
            await keeper.flush(complete=True)

    async def _state(self, run_id: str) -> tuple[bool, bool]:
        if self.cache is None:
            return False, False
        try:
            tracked, complete, _ = await self.cache.log_state(run_id)
        except CacheError:
            return False, False
        return tracked, complete

    async def _cached(self, run_id: str) -> list[LogLine]:
        try:
            return await self.cache.cached_logs(run_id) if self.cache is not None else []
        except CacheError:
            return []

    async def queue_position(self, run_id: str) -> int | None:
        return await self.client.queue_position(run_id)

    # --- lines from the run stream (`log_update`) -------------------------------------------

    def subscribe(self, run_id: str, listener: Listener) -> Callable[[], None]:
        """Call `listener(lines)` for lines published for `run_id`; returns the unsubscribe."""
        self._listeners.setdefault(run_id, []).append(listener)

        def unsubscribe() -> None:
            listeners = self._listeners.get(run_id, [])
            if listener in listeners:
                listeners.remove(listener)
            if not listeners:
                self._listeners.pop(run_id, None)

        return unsubscribe

    def publish(self, run_id: str, lines: list[LogLine]) -> None:
        """Lines of `run_id` seen elsewhere (the v2 run stream's `log_update` events)."""
        for listener in list(self._listeners.get(run_id, ())):
            listener(lines)
