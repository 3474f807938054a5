"""Run logs: `GET /api/v2/stream-logs?run_id=&log_level=` (v2 SSE) -> `LogLine`s.

Each `data:` is `{"message", "level", "timestamp"}`; `message` is either the text or (archive
replay) a JSON string of `[{timestamp, logs}]`. `{"type": "stream_complete"}` ends the stream;
`{"type": "stream_unavailable"}` says the server has no logs for the run (archive expired).
Anything else malformed is a ProtocolError, never another exception.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from comfytui.errors import NotFoundError, ProtocolError
from comfytui.models import LogLine

MAX_LINE_CHARS = 16_384  # one log line is cut here: a runaway line cannot eat memory
COMPLETE, UNAVAILABLE = "stream_complete", "stream_unavailable"


class LogsUnavailable(NotFoundError):
    """The server keeps no logs for this run (the archive expired)."""


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _lines(text: str, level: str, when: datetime | None) -> list[LogLine]:
    return [
        LogLine(part[:MAX_LINE_CHARS], level, when)
        for part in text.replace("\r\n", "\n").split("\n")
        if part or text == ""
    ]


def parse_event(data: str, host: str = "the server") -> list[LogLine] | str:
    """The log lines of one `data:` payload, or COMPLETE / UNAVAILABLE."""
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError):
        raise ProtocolError(f"log stream from {host} sent malformed JSON") from None
    if not isinstance(payload, Mapping):
        raise ProtocolError(f"log stream from {host} sent a {type(payload).__name__}")
    kind = payload.get("type")
    if kind in (COMPLETE, UNAVAILABLE):
        return str(kind)
    message = payload.get("message")
    if message is None:
        return []
    level = payload.get("level")
    level = level if isinstance(level, str) and level else "info"
    when = _when(payload.get("timestamp"))
    if isinstance(message, str) and message.startswith("["):
        try:
            batch = json.loads(message)
        except (ValueError, RecursionError):
            batch = None
        if isinstance(batch, list) and all(isinstance(i, Mapping) for i in batch):
            out: list[LogLine] = []
            for item in batch:
                logs = item.get("logs")
                if logs is not None:
                    out += _lines(_text(logs), level, _when(item.get("timestamp")) or when)
            return out
    return _lines(_text(message), level, when)


def from_log_update(data: Any) -> list[LogLine]:
    """The lines of a run stream's `log_update` event (`{"logs": str, "timestamp"}`)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("logs"), str):
        return []
    return _lines(data["logs"], "info", _when(data.get("timestamp")))


async def iter_log_lines(
    events: AsyncIterator[tuple[str, str]], host: str
) -> AsyncIterator[LogLine]:
    """Log lines until the sentinel; raises LogsUnavailable when the server has none."""
    async for _name, data in events:
        parsed = parse_event(data, host)
        if parsed == UNAVAILABLE:
            raise LogsUnavailable(f"{host} has no logs for this run (kept 30 days)")
        if parsed == COMPLETE:
            return
        for line in parsed:
            yield line
