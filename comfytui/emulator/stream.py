"""The v2 SSE stream (reference §2.6): `event_update` and `log_update` events until the end."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from comfytui.emulator.common import iso, now
from comfytui.emulator.lifecycle import RunRecord, RunView
from comfytui.emulator.shapes import media_item
from comfytui.emulator.state import EmulatorState

HEARTBEAT = 1.0


def _event(name: str, data: Any) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def _update(sub: str, data: Any) -> bytes:
    return _event("event_update", {"event": sub, "data": data})


def _log(text: str) -> bytes:
    return _event("log_update", {"logs": text, "timestamp": iso(now())})


def _transition(
    state: EmulatorState, record: RunRecord, view: RunView, last: RunView | None
) -> list[bytes]:
    """Events for moving from `last` to `view`."""
    pid = record.id
    events: list[bytes] = []
    if last is None or view.status != last.status:
        if view.status == "queued":
            events += [
                _update("function_call_id", f"fc-{pid[:12]}"),
                _update("gpu_event_id", f"ge_{pid[:8]}"),
            ]
        elif view.status == "started":
            events += [
                _update("gpu_ready", None),
                _update("comfyui_ready", None),
                _update("execution_start", {"prompt_id": pid}),
            ]
        elif view.status == "uploading":
            output = {"images": [media_item(state, record)]}
            events += [
                _update(
                    "executed", {"node": str(len(record.nodes)), "output": output, "prompt_id": pid}
                ),
                _update("output_ready", {"prompt_id": pid, "output": output}),
            ]
        events.append(_update("status", {"prompt_id": pid, "status": view.status}))
    if view.live_status and (last is None or view.live_status != last.live_status):
        node = str(
            record.nodes.index(view.live_status.removeprefix("Executing ")) + 1
            if view.live_status.startswith("Executing ")
            else ""
        )
        if view.status == "running":
            events.append(_update("executing", {"node": node, "prompt_id": pid}))
        events.append(
            _update(
                "live_status",
                {"prompt_id": pid, "live_status": view.live_status, "progress": view.progress},
            )
        )
    return events


def _seconds_until(record: RunRecord, point: float) -> float:
    return (record.at(point) - now()).total_seconds()


async def sse_events(state: EmulatorState, record: RunRecord) -> AsyncIterator[bytes]:
    """Walk the run's change points until it ends or is cancelled.

    While nothing changes for more than HEARTBEAT seconds (slow speeds), a `log_update` is sent
    each HEARTBEAT so clients with a read timeout keep the stream.
    """
    yield _update("queuing", {"run_id": record.id, "prompt_id": record.id})
    yield _log(f"Run {record.id} queued")
    last: RunView | None = None
    for point in record.change_points():
        while record.cancelled is None and (wait := _seconds_until(record, point)) > 0:
            await asyncio.sleep(min(wait, HEARTBEAT))
            if record.cancelled is None and _seconds_until(record, point) > 0:
                yield _log(f"Run {record.id}: {(last.status if last else 'not-started')}")
        view = record.cancelled or record.view_at(point)
        for chunk in _transition(state, record, view, last):
            yield chunk
        last = view
        if view.terminal:
            break
    yield _log(f"Run {record.id} finished: {last.status if last else 'unknown'}")
