"""Webhook deliveries (reference §2.7): POST on each status change, 3 attempts, logged."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from comfytui.emulator.common import now
from comfytui.emulator.lifecycle import RunRecord, RunView
from comfytui.emulator.shapes import v2_outputs
from comfytui.emulator.state import EmulatorState

BACKOFF = (0.5, 1.0)  # sleeps between the 3 attempts
_tasks: dict[str, asyncio.Task[None]] = {}


def _body(state: EmulatorState, record: RunRecord, view: RunView, event: str) -> dict[str, Any]:
    body = {
        "event_type": event,
        "status": view.status,
        "live_status": view.live_status,
        "progress": view.progress,
        "run_id": record.id,
        "outputs": v2_outputs(state, record, view),
    }
    if state.dialect != "v2":
        body.pop("event_type")
    return body


async def _post(state: EmulatorState, url: str, body: dict[str, Any]) -> None:
    attempts, ok, status = 0, False, None
    async with httpx.AsyncClient(timeout=5.0) as client:
        for attempt in range(len(BACKOFF) + 1):
            attempts = attempt + 1
            try:
                response = await client.post(url, json=body)
                status, ok = response.status_code, response.is_success
            except httpx.HTTPError:
                status, ok = None, False
            if ok or attempt == len(BACKOFF):
                break
            await asyncio.sleep(BACKOFF[attempt])
    with state.lock:
        state.webhooks.append(
            {"url": url, "body": body, "attempts": attempts, "ok": ok, "status_code": status}
        )


async def _sleep_until(when: datetime) -> None:
    delay = (when - now()).total_seconds()
    if delay > 0:
        await asyncio.sleep(delay)


async def _deliver(state: EmulatorState, record: RunRecord) -> None:
    """Walk the run's change points; send status changes (and progress when asked)."""
    url = record.webhook or ""
    last: RunView | None = None
    for point in record.change_points():
        await _sleep_until(record.at(point))
        if record.cancelled is not None:
            return
        view = record.view_at(point)
        changed = last is None or view.status != last.status
        progressed = last is not None and (view.progress, view.live_status) != (
            last.progress,
            last.live_status,
        )
        if changed or (record.webhook_intermediate and progressed):
            await _post(state, url, _body(state, record, view, "run.updated"))
        last = view
    targets = parse_qs(urlsplit(url).query).get("target_events", [""])[0].split(",")
    if last is not None and last.status == "success" and "run.output" in targets:
        await _post(state, url, _body(state, record, last, "run.output"))


def schedule(state: EmulatorState, record: RunRecord) -> None:
    """Start delivering a new run's webhooks in the background (no-op without a webhook)."""
    if record.webhook:
        task = asyncio.get_running_loop().create_task(_deliver(state, record))
        _tasks[record.id] = task
        task.add_done_callback(lambda _: _tasks.pop(record.id, None))


def cancelled(state: EmulatorState, record: RunRecord) -> None:
    """The run was cancelled: stop its schedule and send the `cancelled` update."""
    task = _tasks.pop(record.id, None)
    if task is not None:
        task.cancel()
    if record.webhook and record.cancelled is not None:
        body = _body(state, record, record.cancelled, "run.updated")
        asyncio.get_running_loop().create_task(_post(state, record.webhook, body))
