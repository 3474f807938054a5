"""Following a run: polling with backoff, and the v2 SSE stream with a polling fallback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from comfytui.api.sse import LogSink, StreamState, iter_events
from comfytui.api.transport import Transport
from comfytui.errors import NetworkError, ProtocolError, RateLimitedError
from comfytui.models import Run

GetRun = Callable[[str], Awaitable[Run]]
#: told of every poll: None when the server answered, the error when a rate limit is waited out
Report = Callable[[BaseException | None], object]
#: the shortest wait between two polls: seconds, or asked before each wait (it may change while
#: the run is followed: a run on screen is polled more often than one in the background)
Interval = float | Callable[[], float]


def _seconds(interval: Interval) -> float:
    return interval() if callable(interval) else interval


class Pacer:
    """Spaces the polls of all the watches of one client: at most `rate` a second, evenly.

    Without it, runs started (or resumed) together poll in lock-step: every `min_interval`
    a burst of one request per run lands on the event loop at once (200 runs: ~200 ms of
    work in one go, so the UI stalls) and on the server. With it, polls form an even stream
    and, past `rate / min_interval` runs, each run is simply polled less often.
    `rate <= 0` disables pacing.
    """

    def __init__(self, rate: float) -> None:
        self.spacing = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0

    async def wait(self) -> None:
        if not self.spacing:
            return
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next)
        self._next = slot + self.spacing
        if slot > now:
            await asyncio.sleep(slot - now)


async def poll(
    get_run: GetRun,
    run_id: str,
    min_interval: Interval,
    max_interval: float,
    last: Run | None = None,
    pacer: Pacer | None = None,
    report: Report | None = None,
) -> AsyncIterator[Run]:
    """Yield each changed snapshot until terminal.

    The interval starts at `min_interval` (asked again before each wait when it is a
    callable) and doubles up to `max_interval` while nothing changes; a rate limit that
    outlasted `get_run`'s own retries is waited out (Retry-After). Each request first waits
    for its slot from `pacer` (shared by the client's watches). `report` hears of each
    poll's outcome (other errors propagate to the caller).
    """
    interval = _seconds(min_interval)
    while True:
        if pacer is not None:
            await pacer.wait()
        try:
            run = await get_run(run_id)
        except RateLimitedError as exc:
            if report is not None:
                report(exc)
            await asyncio.sleep(max(exc.retry_after or 0.0, interval))
            interval = min(interval * 2, max_interval)
            continue
        if report is not None:
            report(None)
        floor = _seconds(min_interval)
        if run != last:
            last, interval = run, floor
            yield run
            if run.is_terminal:
                return
        else:
            interval = max(min(interval * 2, max_interval), floor)
        await asyncio.sleep(interval)


async def stream(
    transport: Transport,
    url: str,
    body: dict[str, Any],
    get_run: GetRun,
    *,
    idle_timeout: float,
    min_interval: float,
    max_interval: float,
    pacer: Pacer | None = None,
    on_log: LogSink | None = None,
) -> AsyncIterator[Run | str]:
    """The run id first, then Run snapshots, from `POST .../stream` (never retried: it queues).

    The final snapshot comes from `get_run` so it carries the outputs. If the stream breaks
    after the run id is known, following continues by polling instead of failing the run.
    """
    state = StreamState(transport.base.host, on_log)
    try:
        async with transport.stream("POST", url, json_body=body, read_timeout=idle_timeout) as resp:
            events = iter_events(resp.aiter_text(), transport.max_body_bytes, state.host)
            async for name, data in events:
                for item in state.feed(name, data):
                    if isinstance(item, Run) and item.is_terminal:
                        yield await get_run(item.id)
                        return
                    yield item
    except (NetworkError, ProtocolError):
        if state.run is None:
            raise  # nothing was queued that we know of: the caller decides
    if state.run is None:
        raise ProtocolError(f"event stream from {state.host} ended without a run id")
    fallback = poll(get_run, state.run.id, min_interval, max_interval, state.run, pacer)
    async for run in fallback:
        yield run
