"""Server-sent events of `POST /api/run/deployment/stream` (§2.6) -> run id, then run snapshots.

Events are `event: <name>` + `data: <json>` blocks. `event_update` carries `{event, data}` with
sub-events (`queuing`, `live_status` {prompt_id, live_status, progress}, `status` {prompt_id,
status}, ComfyUI events, ...); `log_update` carries logs: its lines go to `on_log(run_id, lines)`
when one is given (the Logs view), never into the run snapshots. The stream has no end marker:
it closes after the final status.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping
from dataclasses import replace
from typing import Any

from comfytui.errors import ProtocolError
from comfytui.models import LogLine, Run, RunStatus

LogSink = Callable[[str, list[LogLine]], object]  # (run id, lines of one log_update)


async def iter_events(
    chunks: AsyncIterable[str], max_event_chars: int, host: str
) -> AsyncIterator[tuple[str, str]]:
    """(event name, data) per SSE event; an event larger than the cap is a ProtocolError."""
    name, data, size, pending = "message", [], 0, ""
    async for chunk in chunks:
        pending += chunk
        *lines, pending = pending.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for line in lines:
            if not line:
                if data:
                    yield name, "\n".join(data)
                name, data, size = "message", [], 0
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
                size += len(value)
        if size + len(pending) > max_event_chars:
            raise ProtocolError(f"event stream from {host} sent an event over the size cap")
    if data:
        yield name, "\n".join(data)


def _run_id(payload: Any) -> str | None:
    if isinstance(payload, Mapping):
        for key in ("run_id", "prompt_id", "id"):
            value = payload.get(key)
            if isinstance(value, str) and value:
                return value
    return None


class StreamState:
    """Folds stream events into Run snapshots."""

    def __init__(self, host: str, on_log: LogSink | None = None) -> None:
        self.host = host
        self.run: Run | None = None
        self.on_log = on_log

    def _log_update(self, data: str) -> None:
        """A `log_update` (`{"logs", "timestamp"}`): its lines to `on_log` once the run id is
        known; malformed ones are dropped (logs never fail the run's stream)."""
        if self.on_log is None or self.run is None:
            return
        from comfytui.api.logs import from_log_update

        try:
            payload = json.loads(data)
        except (ValueError, RecursionError):
            return
        lines = from_log_update(payload)
        if lines:
            self.on_log(self.run.id, lines)

    def feed(self, name: str, data: str) -> list[Run | str]:
        """What to yield for one event: the run id once, then a Run on every visible change."""
        if name == "log_update":
            self._log_update(data)
            return []
        if name != "event_update":
            return []
        try:
            envelope = json.loads(data)
        except ValueError:
            raise ProtocolError(f"event stream from {self.host} sent malformed JSON") from None
        if not isinstance(envelope, Mapping):
            return []
        sub, payload = envelope.get("event"), envelope.get("data")
        out: list[Run | str] = []
        if self.run is None:
            run_id = _run_id(payload) or _run_id(envelope)
            if run_id is None:
                return []
            self.run = Run(id=run_id, status=RunStatus.NOT_STARTED, raw_status="not-started")
            out.append(run_id)
        if not isinstance(payload, Mapping):
            return out
        changed = self.run
        if sub == "status" and isinstance(payload.get("status"), str):
            raw = payload["status"]
            changed = replace(changed, status=RunStatus.parse(raw), raw_status=raw)
        elif sub == "live_status":
            from comfytui.api.parse_common import progress_fraction  # lazy: pydantic

            progress = payload.get("progress")
            live = payload.get("live_status")
            changed = replace(
                changed,
                live_status=live if isinstance(live, str) else changed.live_status,
                progress=progress_fraction(float(progress))
                if isinstance(progress, int | float) and not isinstance(progress, bool)
                else changed.progress,
            )
        if changed != self.run:
            self.run = changed
            out.append(changed)
        return out
