"""Retry policy on top of stamina: which failures are retried, how long to wait, when to stop.

Two rules:
- `idempotent` requests (GETs, cancel, presigned PUT) retry on network failures, 429 and
  502/503/504 with exponential backoff + jitter, bounded by attempts and total time; a
  `Retry-After` up to `retry_after_cap` seconds replaces the backoff, a longer one is not waited
  for (the RateLimitedError carries it).
- anything else (queueing a run, uploads) retries only `ConnectFailedError`: no connection could
  be opened, so provably not a byte of the request was sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from comfytui.errors import (
    AnswerTimeoutError,
    ConnectFailedError,
    NetworkError,
    RateLimitedError,
    ServerError,
)

T = TypeVar("T")

RETRY_STATUSES = frozenset({502, 503, 504})

# stamina logs each scheduled retry; keep that off the terminal unless the app configures logging.
logging.getLogger("stamina").addHandler(logging.NullHandler())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Which failures are retried, how often and how long (see the module doc)."""

    attempts: int = 4  # total tries, first one included
    timeout: float = 30.0  # total seconds across all tries
    wait_initial: float = 0.25
    wait_max: float = 5.0
    wait_jitter: float = 0.5
    retry_after_cap: float = 30.0  # longest Retry-After we sleep for inside one call

    def hook(self, idempotent: bool) -> Callable[[Exception], bool | float]:
        """stamina backoff hook: False = give up, True = exponential backoff, float = wait."""

        def decide(exc: Exception) -> bool | float:
            if isinstance(exc, ConnectFailedError):
                return True
            if not idempotent:
                return False
            if isinstance(exc, RateLimitedError):
                if exc.retry_after is None:
                    return True
                return exc.retry_after if exc.retry_after <= self.retry_after_cap else False
            if isinstance(exc, ServerError):
                return exc.status_code in RETRY_STATUSES
            return isinstance(exc, NetworkError)

        return decide

    async def call(self, fn: Callable[[], Awaitable[T]], *, idempotent: bool) -> T:
        """Run `fn` (which builds its request afresh each time) under this policy.

        When tries that timed out used up the budget, the error says what was waited in all:
        "HOST did not answer: gave up after 9 s: 3 tries of 3 s".
        """
        if self.attempts <= 1:
            return await fn()
        started = time.monotonic()
        decide = self.hook(idempotent)
        try:
            return await fn()  # the usual case: one try, and stamina never imported (~15 ms)
        except Exception as exc:  # noqa: BLE001 - `decide` says which are retried
            if decide(exc) is False:
                raise
            first_failure = exc
        return await self._retry(fn, decide, first_failure, started)

    async def _retry(
        self,
        fn: Callable[[], Awaitable[T]],
        decide: Callable[[Exception], bool | float],
        first_failure: Exception | None,
        started: float,
    ) -> T:
        """The tries after a retryable first failure, under stamina.

        stamina's first attempt re-raises that failure, so it waits (backoff or Retry-After)
        exactly as if it had made the first try itself; the time budget runs from `started`.
        """
        import stamina  # noqa: PLC0415 - only once a try failed

        tries = 1
        remaining = max(self.timeout - (time.monotonic() - started), 0.001)
        try:
            async for attempt in stamina.retry_context(
                on=decide,
                attempts=self.attempts,
                timeout=remaining,
                wait_initial=self.wait_initial,
                wait_max=self.wait_max,
                wait_jitter=self.wait_jitter,
            ):
                with attempt:
                    if first_failure is not None:
                        failure, first_failure = first_failure, None
                        raise failure
                    tries += 1
                    return await fn()
        except AnswerTimeoutError as exc:
            if tries <= 1:
                raise
            raise gave_up(exc, tries, time.monotonic() - started) from None
        raise AssertionError("unreachable: stamina re-raises the last error")


def gave_up(exc: AnswerTimeoutError, tries: int, elapsed: float) -> AnswerTimeoutError:
    """The last timeout of several tries, restated with the total wait."""
    per = f"{exc.seconds:g} s"
    return AnswerTimeoutError(
        f"{exc.host or 'the server'} did not answer: gave up after {elapsed:.0f} s: "
        f"{tries} tries of {per}",
        host=exc.host,
        seconds=exc.seconds,
    )
