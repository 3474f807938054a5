"""JSON bodies of the v2 dialect (§2.4, §2.8), plus the output items all dialects share."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from comfytui.emulator.common import iso
from comfytui.emulator.discovery import v2_input_types
from comfytui.emulator.graphs import output_types
from comfytui.emulator.lifecycle import RunRecord, RunView
from comfytui.emulator.media import output_key, text_value
from comfytui.emulator.state import EmulatorState

INTERNAL_KEYS = ("output_format",)
BUCKET = "comfyui-deploy"
# the version row the backend joins into a deployment, without the (large) graphs
VERSION_SUMMARY_KEYS = (
    "id",
    "workflow_id",
    "version",
    "comment",
    "user_id",
    "created_at",
    "updated_at",
)


def output_filename(record: RunRecord) -> str:
    return f"ComfyUI_{record.number:05d}_.{record.output_format}"


def output_url(state: EmulatorState, record: RunRecord) -> str:
    return f"{state.storage_url}/{BUCKET}/outputs/runs/{record.id}/{output_filename(record)}"


def media_item(state: EmulatorState, record: RunRecord) -> dict[str, Any]:
    return {
        "url": output_url(state, record),
        "type": "output",
        "filename": output_filename(record),
        "subfolder": "",
        "upload_duration": 0.21,
        "is_public": True,
    }


def output_data(record: RunRecord, item: dict[str, Any]) -> dict[str, Any]:
    """`outputs[].data` of a successful run: the file under its node's key (`images`, `gifs`,
    `audio`, `text_file`), a text output's string under `text` too."""
    data: dict[str, Any] = {output_key(record.output_format): [item]}
    if record.output_format == "txt":
        data["text"] = [text_value(record.inputs)]
    return data


def error_detail(record: RunRecord) -> dict[str, str]:
    """The runner's failure payload (`data.error` on v1)."""
    return {"error_type": "MachineError", "stack_trace": record.error or "failed"}


def v2_outputs(state: EmulatorState, record: RunRecord, view: RunView) -> list[dict[str, Any]]:
    """Outputs of a v2 run: images once successful, an error output once failed.

    v2 drops outputs whose data is not lists of MediaItem or strings, so the error is a string.
    """
    if view.status == "success":
        data = output_data(record, {**media_item(state, record), "output_id": "output_images"})
        meta = {"node_id": str(len(record.nodes)), "node_class": record.nodes[-1]}
    elif view.status == "failed" and record.error:
        data = {"error": [f"MachineError: {record.error}"]}
        meta = None
    else:
        return []
    stamp = iso(view.ended_at)
    return [
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, record.id)),
            "run_id": record.id,
            "output_id": "output_images" if meta else None,
            "data": data,
            "node_meta": meta,
            "type": None,
            "node_id": meta["node_id"] if meta else None,
            "created_at": stamp,
            "updated_at": stamp,
        }
    ]


def run_head(record: RunRecord) -> dict[str, Any]:
    """The first keys of every dialect's run body, in their order (ids, inputs, origin)."""
    return {
        "id": record.id,
        "workflow_version_id": record.workflow_version_id,
        "workflow_inputs": record.inputs,
        "workflow_id": record.workflow_id,
        "machine_id": record.machine_id,
        "origin": record.origin,
    }


def hosted_run_fields(record: RunRecord, view: RunView) -> dict[str, Any]:
    """The run keys the hosted v1 body (§1.4) and the v2 WorkflowRunModel (§2.4) share."""
    return {
        **run_head(record),
        "status": view.status,
        "created_at": iso(record.created),
        "updated_at": iso(view.updated_at or record.created),
        "queued_at": iso(view.queued_at),
        "started_at": iso(view.started_at),
        "ended_at": iso(view.ended_at),
        "gpu": record.gpu,
        "machine_version": None,
        "machine_type": record.machine_type,
        "user_id": "user_emulator",
        "org_id": None,
        "live_status": view.live_status,
        "progress": view.progress,
        "is_realtime": False,
        "webhook": record.webhook,
        "webhook_status": None,
        "webhook_intermediate_status": record.webhook_intermediate,
    }


def cold_start_durations(record: RunRecord, view: RunView) -> tuple[float | None, float | None]:
    """Seconds from the container picking the run up (queued) and from creation to ComfyUI
    being ready (started), once the run started; null before, like the hosted backend."""
    started = view.started_at
    if started is None:
        return None, None
    total = max((started - record.created).total_seconds(), 0.0)
    if view.queued_at is None:
        return total, total
    return max((started - view.queued_at).total_seconds(), 0.0), total


def v2_run(state: EmulatorState, record: RunRecord, when: datetime) -> dict[str, Any]:
    """A WorkflowRunModel with every key SDK 0.6.3 / 0.7.0 requires (§2.4)."""
    view = record.view(when)
    ended = view.ended_at
    duration = (ended - record.created).total_seconds() if ended else None
    run_duration = (ended - view.started_at).total_seconds() if ended and view.started_at else None
    cold_start, cold_start_total = cold_start_durations(record, view)
    return {
        **hosted_run_fields(record, view),
        "workflow_api": None,
        "gpu_event_id": f"ge_{record.id[:8]}",
        "modal_function_call_id": f"fc-{record.id[:12]}",
        "number": record.number,
        "duration": duration,
        "cold_start_duration": cold_start,
        "cold_start_duration_total": cold_start_total,
        "run_duration": run_duration,
        "queue_position": None,
        "outputs": v2_outputs(state, record, view),
    }


def v2_deployment(state: EmulatorState, deployment: dict[str, Any]) -> dict[str, Any]:
    """A DeploymentModel with `input_types` discovered from the version's workflow_api."""
    version = state.versions.get(deployment["workflow_version_id"], {})
    machine = state.machines.get(deployment["machine_id"], {})
    body = {k: v for k, v in deployment.items() if k not in INTERNAL_KEYS}
    body.update(
        {
            "workflow": {
                "id": deployment["workflow_id"],
                "name": state.workflow_name(deployment["workflow_id"]),
                "cover_url": None,
            },
            "version": {key: version.get(key) for key in VERSION_SUMMARY_KEYS},
            "machine": {"id": machine.get("id"), "name": machine.get("name")},
            "input_types": v2_input_types(version.get("workflow_api")),
            "output_types": output_types(version.get("workflow") or {}),
            "dub_link": None,
            "machine_version_id": None,
            "modal_image_id": None,
            "concurrency_limit": 2,
            "run_timeout": 300,
            "idle_timeout": 60,
            "keep_warm": 0,
            "activated_at": deployment["created_at"],
            "modal_app_id": None,
        }
    )
    return body
