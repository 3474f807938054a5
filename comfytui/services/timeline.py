"""Where a run's time went: queue, cold start and execution (issue 18).

From the run's timestamps (created, queued, started, ended) and, when the server sent them, its
`cold_start_duration` and `run_duration` (seconds; the server's figures win over differences of
timestamps). Queue: created -> queued (the container picked the run up). Cold start: queued ->
started (ComfyUI ready). Execution: started -> ended. A phase the run is in now grows with
`now`; a phase the run never reached is None. Pure: the TUI, the CLI and tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

PHASES = ("queue", "cold_start", "execution")
LABELS = {"queue": "queue", "cold_start": "cold start", "execution": "execution"}


class _RunTimes(Protocol):
    created_at: datetime | None
    queued_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    updated_at: datetime | None
    cold_start_duration: float | None
    run_duration: float | None

    @property
    def is_terminal(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Phase:
    """One phase of a run's time (queue, cold start, execution)."""

    name: str  # one of PHASES
    seconds: float | None  # None: the run never reached it (or nothing tells)
    current: bool = False  # the run is in this phase now (seconds grow)

    @property
    def label(self) -> str:
        return LABELS[self.name]


@dataclass(frozen=True, slots=True)
class Split:
    """A run's time split into its phases."""

    queue: Phase
    cold_start: Phase
    execution: Phase

    @property
    def phases(self) -> tuple[Phase, Phase, Phase]:
        return (self.queue, self.cold_start, self.execution)

    @property
    def known(self) -> bool:
        return any(p.seconds is not None for p in self.phases)

    def as_json(self) -> dict[str, Any]:
        """`{"queue": s, "cold_start": s, "execution": s, "current": name | null}`."""
        body: dict[str, Any] = {p.name: _round(p.seconds) for p in self.phases}
        body["current"] = next((p.name for p in self.phases if p.current), None)
        return body


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _aware(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _span(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def split(run: _RunTimes, now: datetime | None = None) -> Split:
    """The run's queue / cold start / execution split as of `now`."""
    now = _aware(now) or datetime.now(UTC)
    created, queued = _aware(run.created_at), _aware(run.queued_at)
    started = _aware(run.started_at)
    ended = None
    if run.is_terminal:
        ended = _aware(run.ended_at) or _aware(run.updated_at) or now
    live = None if run.is_terminal else now
    cold = run.cold_start_duration
    if cold is None:
        cold = _span(queued, started)
    execution = run.run_duration
    if execution is None:
        execution = _span(started, ended)
    if queued is not None:
        queue = _span(created, queued)
    elif started is not None and cold is not None:
        total = _span(created, started)
        queue = None if total is None else max(total - cold, 0.0)
    else:
        queue = None
    phase = None
    if live is not None:
        if started is not None:
            phase, execution = "execution", _span(started, live)
        elif queued is not None:
            phase, cold = "cold_start", _span(queued, live)
        else:
            phase, queue = "queue", _span(created, live)
    elif started is None and ended is not None:  # ended before ComfyUI was ready
        if queued is not None:
            cold = _span(queued, ended)
        else:
            queue = _span(created, ended)
    return Split(
        Phase("queue", queue, phase == "queue"),
        Phase("cold_start", cold, phase == "cold_start"),
        Phase("execution", execution, phase == "execution"),
    )
