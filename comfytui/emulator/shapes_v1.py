"""JSON bodies of the legacy dialects: hosted v1 (§1.4) and the open-source self-host (§7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from comfytui.emulator.common import iso
from comfytui.emulator.lifecycle import RunRecord, RunView
from comfytui.emulator.shapes import (
    error_detail,
    hosted_run_fields,
    media_item,
    output_data,
    run_head,
)
from comfytui.emulator.state import EmulatorState

# The self-host database knows five statuses; the others map onto the nearest one.
SELFHOST_STATUS = {
    "queued": "not-started",
    "started": "running",
    "timeout": "failed",
    "cancelled": "failed",
}


def _outputs(state: EmulatorState, record: RunRecord, view: RunView) -> list[dict[str, Any]]:
    if view.status == "success":
        item = {k: v for k, v in media_item(state, record).items() if k != "is_public"}
        return [{"data": output_data(record, item)}]
    if view.status == "failed" and record.error:
        return [{"data": {"error": error_detail(record)}}]
    return []


def _timings(record: RunRecord) -> dict[str, Any]:
    """The per-node timing entry the self-host runner stores next to the images."""
    return {
        "data": [
            {
                "id": str(i + 1),
                "time": round(0.0002 + 0.01 * (i % 3), 6),
                "vram_used": 0,
                "class_type": cls,
            }
            for i, cls in enumerate(record.nodes)
        ]
    }


def selfhost_run(state: EmulatorState, record: RunRecord, when: datetime) -> dict[str, Any]:
    """Exactly the keys of the recorded self-host response (samples/selfhost-get-run-success)."""
    view = record.view(when)
    outputs = _outputs(state, record, view)
    if view.status == "success":
        outputs.insert(0, _timings(record))
    return {
        **run_head(record),
        "status": SELFHOST_STATUS.get(view.status, view.status),
        "ended_at": iso(view.ended_at),
        "created_at": iso(record.created),
        "started_at": iso(view.started_at),
        "workflow": {"org_id": None, "user_id": "user_emulator"},
        "outputs": outputs,
    }


def hosted_run(state: EmulatorState, record: RunRecord, when: datetime) -> dict[str, Any]:
    """Hosted v1 GetRunResponseBody: all keys present, nullable ones as null (§1.4)."""
    view = record.view(when)
    return {
        **hosted_run_fields(record, view),
        "gpu_event_id": None,
        "modal_function_call_id": None,
        "batch_id": None,
        "favorite": False,
        "outputs": _outputs(state, record, view),
    }
