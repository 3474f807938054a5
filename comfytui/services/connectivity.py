"""`Connectivity`: one shared answer to "can the server be used right now, and if not, why?".

Every service call that talks to the server reports here (`reached()` / `failed(error)`); the
UI and CLI read it. A failure is named for what happened (`problem`, `headline`): a connection
that could not be opened is "offline"; a 5xx, a 429 or an unusable answer is the server's
problem, not the network's. After a failure a background probe (`probe`, one cheap GET set by
the session) asks again with backoff (1 s doubling to 30 s; a 429's Retry-After is honoured);
its first success clears the state and calls the `on_change` listeners, so the app comes back
online by itself. No Textual here: the app subscribes with a plain callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from comfytui.errors import (
    ComfyTuiError,
    ConnectFailedError,
    NetworkError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)

#: problem kinds, and the short word the status bar shows for each
PROBLEM_WORDS = {
    "offline": "offline",
    "unreachable": "no answer",
    "server": "server error",
    "rate-limited": "rate limited",
    "bad-answer": "bad answers",
}

#: the errors that are the link's trouble (a `problem_of` kind: offline, no answer, 5xx, 429,
#: unusable answer), not the request's; `ui.failures.describe` words them as warnings
LINK_ERRORS = (NetworkError, ServerError, RateLimitedError, ProtocolError)

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0


def problem_of(error: BaseException) -> str:
    """The kind of trouble `error` is (a key of `PROBLEM_WORDS`)."""
    if isinstance(error, RateLimitedError):
        return "rate-limited"
    if isinstance(error, ServerError):
        return "server"
    if isinstance(error, ProtocolError):
        return "bad-answer"
    if isinstance(error, ConnectFailedError):
        return "offline"
    if isinstance(error, NetworkError | TimeoutError | OSError):
        return "unreachable"
    return "unreachable"


def headline(error: BaseException, host: str) -> str:
    """What happened, in a few words naming the host (no server text)."""
    kind = problem_of(error)
    if kind == "rate-limited":
        return f"rate limited by {host}"
    if kind == "server":
        code = getattr(error, "status_code", None)
        return f"{host} had a server error (HTTP {code})" if code else f"{host} had a server error"
    if kind == "bad-answer":
        return f"{host} sent an unusable answer"
    if kind == "offline":  # the only kind that is "offline": no connection could be opened
        return f"offline: cannot reach {host}"
    return f"cannot reach {host}"


def seconds_text(seconds: float) -> str:
    return f"{max(round(seconds), 0)} s"


@dataclass
class Connectivity:
    """Shared by the catalog and runs services: did the last call reach the server?

    While offline, refreshes pass one at a time through `gate`, and a failure less than
    `quiet_period` seconds old answers the next ones at once (no new round of connect retries).
    `offline` is True for any problem (the cache is what can be shown); `problem` says which.
    """

    offline: bool = False
    last_error: str | None = None
    last_exception: ComfyTuiError | None = None
    failed_at: float | None = None
    quiet_period: float = 3.0
    gate: asyncio.Lock = field(default_factory=asyncio.Lock)
    host: str = ""
    problem: str | None = None
    last_ok: datetime | None = None  # wall clock of the last answer
    retry_at: float | None = None  # monotonic time of the next probe
    failures: int = 0
    probe: Callable[[], Awaitable[object]] | None = None
    backoff_first: float = BACKOFF_FIRST
    backoff_max: float = BACKOFF_MAX
    listeners: list[Callable[[Connectivity], object]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = field(default=None, repr=False)

    # --- reports ------------------------------------------------------------------------------

    def reached(self) -> None:
        was = self.offline
        self.offline = False
        self.last_error = None
        self.last_exception = None
        self.failed_at = None
        self.problem = None
        self.retry_at = None
        self.failures = 0
        self.last_ok = datetime.now(UTC)
        if was:
            self._changed()

    def failed(self, error: BaseException) -> None:
        was = (self.offline, self.problem)
        self.offline = True
        self.last_error = str(error) or type(error).__name__
        if isinstance(error, ComfyTuiError):
            self.last_exception = error
        self.failed_at = time.monotonic()
        self.problem = problem_of(error)
        self.failures += 1
        self._schedule(error)
        if was != (self.offline, self.problem):
            self._changed()

    def recently_failed(self) -> bool:
        return (
            self.offline
            and self.failed_at is not None
            and time.monotonic() - self.failed_at < self.quiet_period
        )

    # --- words --------------------------------------------------------------------------------

    def retry_in(self) -> float | None:
        """Seconds until the next background probe (None when none is planned)."""
        if self.retry_at is None:
            return None
        return max(self.retry_at - time.monotonic(), 0.0)

    @property
    def word(self) -> str:
        """One or two words for the status bar: online, offline, server error, ..."""
        return PROBLEM_WORDS.get(self.problem or "", "online") if self.offline else "online"

    def headline(self) -> str:
        if not self.offline:
            return f"connected to {self.host}"
        error = self.last_exception or NetworkError(self.last_error or "")
        return headline(error, self.host or "the server")

    def describe(self) -> str:
        """`cannot reach HOST, retrying in 4 s` (empty when online)."""
        if not self.offline:
            return ""
        wait = self.retry_in()
        if wait is None:
            return self.headline()
        sep = ";" if self.problem == "rate-limited" else ","
        return f"{self.headline()}{sep} retrying in {seconds_text(wait)}"

    # --- the background probe -----------------------------------------------------------------

    def subscribe(self, listener: Callable[[Connectivity], object]) -> None:
        self.listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self.listeners):
            with contextlib.suppress(Exception):
                listener(self)

    def _delay(self, error: BaseException) -> float:
        wait = getattr(error, "retry_after", None)
        if isinstance(error, RateLimitedError) and wait:
            return min(float(wait), 300.0)
        exponent = min(max(self.failures - 1, 0), 10)
        return min(self.backoff_first * 2**exponent, self.backoff_max)

    def _schedule(self, error: BaseException) -> None:
        if self.probe is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        delay = self._delay(error)
        self.retry_at = time.monotonic() + delay
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._probe_loop())

    async def _probe_loop(self) -> None:
        while self.offline and self.probe is not None:
            wait = self.retry_in()
            await asyncio.sleep(wait if wait is not None else self.backoff_first)
            if not self.offline:
                return
            if self.retry_in():  # a newer failure moved the next probe later
                continue
            try:
                await self.probe()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: still not usable
                self.failed(exc)
            else:
                self.reached()

    async def wait_online(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the server to be usable again; True if it is."""
        deadline = time.monotonic() + timeout
        while self.offline and time.monotonic() < deadline:
            await asyncio.sleep(min(0.2, max(deadline - time.monotonic(), 0)))
        return not self.offline

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
