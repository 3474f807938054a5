"""What the run view says about a run, as Rich `Text` (no widgets): pure, so easy to test.

Server text (live status, errors, text outputs, input values) always goes through `plain()` or
`safe()`: it is data, never markup.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from rich.text import Text

from comfytui.models import Run, RunStatus
from comfytui.sanitize import plain
from comfytui.services.connectivity import headline, problem_of
from comfytui.ui.format import ago_str, duration, safe, status


def aware(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def clock(when: datetime | None) -> str:
    when = aware(when)
    return when.astimezone().strftime("%H:%M:%S") if when else "--:--:--"


def title_text(run: Run, deployment_name: str | None) -> Text:
    title = Text(f"Run {run.id[:8]}", style="bold")
    if run.deployment_id:
        title.append("  ")
        title.append_text(safe(deployment_name or run.deployment_id[:8], 60))
    if run.gpu:
        title.append(f"  {plain(run.gpu, 20)}", style="dim")
    return title


def status_text(run: Run) -> Text:
    """`Status <coloured>` and, while it runs, the live status on the line below."""
    line = Text("Status ")
    line.append_text(status(run.status.value))
    line.append("\n")
    if run.live_status and not run.is_terminal:
        line.append_text(safe(run.live_status, 40, style="italic"))
    return line


def times_text(run: Run, now: datetime, stale: bool | datetime | None = None) -> Text:
    """Elapsed since queueing (to the end once it ended) and the time spent waiting in the queue.

    `stale`: the server has not answered for this run lately (when it last did, if known);
    a second line says the clocks are stale."""
    created = aware(run.queued_at or run.created_at)
    started = aware(run.started_at)
    ended = None
    if run.is_terminal:
        ended = aware(run.ended_at) or aware(run.updated_at) or now
    if run.status is RunStatus.NOT_FOUND:  # when it ran, or whether it ended, is not known
        return Text("Elapsed —   Queue —", style="dim")
    times = Text("Elapsed ")
    times.append_text(duration(created, ended, now))
    times.append("   Queue ")
    if started is not None:
        times.append_text(duration(created, started, now))
    elif run.is_terminal:
        times.append("—", style="dim")
    else:
        times.append_text(duration(created, None, now))
        times.append(" (waiting)", style="dim")
    if stale and not run.is_terminal:
        since = f" since {clock(stale)}" if isinstance(stale, datetime) else ""
        times.append(f"\nclocks stale{since}", style="bold yellow")
    return times


def trouble_text(error: BaseException, retry_in: float, last: datetime | None, host: str,
                 now: datetime) -> Text:  # fmt: skip
    """`cannot reach HOST, retrying in 4 s; last update 40 s ago` for a watched run whose
    polls fail (the words are `services.connectivity`'s, as in the status bar)."""
    said = headline(error, host)
    sep = ";" if problem_of(error) == "rate-limited" else ","
    text = Text(f"{said}{sep} retrying in {max(round(retry_in), 0)} s; ", style="bold red")
    seen = f"last update {ago_str(last, now)}" if last else "no update since comfytui started"
    text.append(seen, style="red")
    return text


def problem_text(run: Run) -> Text:
    """The run's error and its text outputs (empty when there are none)."""
    problem = Text()
    if run.error:
        problem.append("Error: ", style="bold red")
        problem.append(plain(run.error, 600))
    for text in run.texts[:4]:
        if problem:
            problem.append("\n")
        problem.append(plain(text, 600))
    return problem


def inputs_text(inputs: dict[str, Any]) -> Text:
    if not inputs:
        return Text("—", style="dim")
    text = Text()
    for key, value in list(inputs.items())[:30]:
        if text:
            text.append("\n")
        shown = value if isinstance(value, str) else json.dumps(value, default=str)
        text.append(plain(key, 30), style="bold")
        text.append(" ")
        text.append(plain(shown, 160))
    return text


class Timeline:
    """Status changes of a run as they were seen: `(when, status)`, newest last."""

    def __init__(self) -> None:
        self.entries: list[tuple[datetime, str]] = []
        self._last: str | None = None

    def record(self, run: Run) -> None:
        label = run.status.value
        if label == self._last:
            return
        if self._last is None:  # first sight: what the timestamps already tell
            for when, seen in (
                (run.created_at, "created"),
                (run.queued_at, "queued"),
                (run.started_at, "started"),
            ):
                if when is not None:
                    self.entries.append((aware(when) or datetime.now(UTC), seen))
        if not self.entries or self.entries[-1][1] != label:
            ended = aware(run.ended_at) if run.is_terminal else None
            self.entries.append((ended or datetime.now(UTC), label))
        self._last = label
        del self.entries[:-60]

    def text(self, limit: int = 12) -> Text:
        text = Text()
        for when, label in self.entries[-limit:]:
            if text:
                text.append("\n")
            text.append(clock(when), style="dim")
            text.append(" ")
            text.append_text(status(label))
        return text
