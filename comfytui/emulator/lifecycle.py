"""Run records and their lifecycle, computed lazily from the wall clock (reference §2.2).

A run's state is a pure function of the scaled time since it was created, so thousands of runs
cost nothing until read. At speed 1 a run takes 3.4 s: not-started (0) -> queued (0.3) ->
started (0.6) -> running (0.9, progress rising node by node) -> uploading (2.9) -> success (3.4).
A run on a machine in `error` fails at 0.9. Speed 0 means instant: a run is created terminal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

PHASES: tuple[tuple[str, float], ...] = (
    ("not-started", 0.0),
    ("queued", 0.3),
    ("started", 0.6),
    ("running", 0.9),
    ("uploading", 2.9),
    ("success", 3.4),
)
FAIL_AT = 0.9
RUN_START, RUN_END = 0.9, 2.9
TERMINAL = frozenset({"success", "failed", "timeout", "cancelled"})


@dataclass(frozen=True, slots=True)
class RunView:
    """What a run looks like at one moment."""

    status: str
    progress: float = 0.0
    live_status: str | None = None
    queued_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


@dataclass(slots=True)
class RunRecord:
    id: str
    deployment_id: str | None
    workflow_id: str
    workflow_version_id: str | None
    machine_id: str | None
    created: datetime
    inputs: dict[str, Any] = field(default_factory=dict)
    nodes: tuple[str, ...] = ("KSampler",)
    speed: float = 1.0
    error: str | None = None  # set when the run is going to fail
    output_format: str = "png"
    origin: str = "api"
    number: int = 1
    gpu: str | None = None
    machine_type: str | None = None
    webhook: str | None = None
    webhook_intermediate: bool = False
    frozen: RunView | None = None  # seeded past runs never change
    cancelled: RunView | None = None
    timeout_s: float | None = None  # the server's run timeout (demo seed: 24 h); None: never

    def _timed_out(self, current: RunView, when: datetime) -> RunView:
        """`current`, or a timeout once the run outlived the server's timeout unfinished."""
        if self.timeout_s is None or current.terminal:
            return current
        ended = self.created + timedelta(seconds=self.timeout_s)
        if when < ended:
            return current
        return replace(
            current, status="timeout", live_status=None, ended_at=ended, updated_at=ended
        )

    # -- time ---------------------------------------------------------------------------------
    def at(self, scaled: float) -> datetime:
        """Wall-clock time of a scaled offset (speed 0: everything happens at creation)."""
        if self.speed <= 0:
            return self.created
        return self.created + timedelta(seconds=scaled / self.speed)

    def elapsed(self, when: datetime) -> float:
        if self.speed <= 0:
            return math.inf
        return max(0.0, (when - self.created).total_seconds() * self.speed)

    def end_offset(self) -> float:
        return FAIL_AT if self.error else PHASES[-1][1]

    # -- views ----------------------------------------------------------------------------------
    def view(self, when: datetime) -> RunView:
        if self.cancelled is not None:
            return self.cancelled
        if self.frozen is not None:
            return self._timed_out(self.frozen, when)
        return self._timed_out(self.view_at(self.elapsed(when)), when)

    def view_at(self, scaled: float) -> RunView:
        """The run at `scaled` seconds (speed-1 seconds) after creation."""
        phases = PHASES[:3] + (("failed", FAIL_AT),) if self.error else PHASES
        status, start = phases[0]
        for name, offset in phases:
            if scaled >= offset:
                status, start = name, offset
        queued = self.at(0.3) if scaled >= 0.3 else None
        started = self.at(0.6) if scaled >= 0.6 else None
        ended = self.at(start) if status in TERMINAL else None
        progress, live, updated = 0.0, None, start
        if status == "running":
            index = min(len(self.nodes) - 1, int((scaled - RUN_START) / self._node_span()))
            progress = round((index + 1) / len(self.nodes), 2)
            live = f"Executing {self.nodes[index]}"
            updated = RUN_START + index * self._node_span()
        elif status in ("uploading", "success"):
            progress, live = 1.0, f"Executing {self.nodes[-1]}"
        elif status == "failed":
            live = "Machine error"
        return RunView(status, progress, live, queued, started, ended, self.at(updated))

    def _node_span(self) -> float:
        return (RUN_END - RUN_START) / max(1, len(self.nodes))

    def change_points(self) -> list[float]:
        """Scaled offsets at which the view changes, in order (webhooks and SSE walk these)."""
        if self.error:
            return [offset for _, offset in PHASES[:3]] + [FAIL_AT]
        nodes = [RUN_START + i * self._node_span() for i in range(len(self.nodes))]
        return [0.0, 0.3, 0.6, *nodes, RUN_END, PHASES[-1][1]]

    def cancel(self, when: datetime) -> bool:
        """Freeze the run as cancelled unless it already ended; True if it changed."""
        current = self.view(when)
        if current.terminal:
            return False
        self.cancelled = replace(current, status="cancelled", ended_at=when, updated_at=when)
        return True
