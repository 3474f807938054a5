"""Pieces of the v1 routes kept apart: Zod error bodies and `POST /api/workflow` versions."""

from __future__ import annotations

import random
from typing import Any

from comfytui.emulator.auth import V1Error, v1_error
from comfytui.emulator.common import is_uuid, iso, now, seeded_uuid
from comfytui.emulator.seed import USER_ID


def zod_error(issues: list[dict[str, Any]]) -> V1Error:
    """The 400 body @hono/zod-openapi sends for a failed validation (§7)."""
    return V1Error(400, {"success": False, "error": {"issues": issues, "name": "ZodError"}})


def new_version(state: Any, body: dict[str, Any], require_snapshot: bool) -> dict[str, Any]:
    """Add a version (a new workflow when `workflow_name` is given): {workflow_id, version}."""
    if require_snapshot and not isinstance(body.get("snapshot"), dict):
        raise zod_error(
            [
                {
                    "code": "invalid_type",
                    "expected": "object",
                    "received": "undefined",
                    "path": ["snapshot"],
                    "message": "Required",
                }
            ]
        )
    if not isinstance(body.get("workflow_api"), dict):
        raise zod_error(
            [
                {
                    "code": "invalid_type",
                    "expected": "object",
                    "received": "undefined",
                    "path": ["workflow_api"],
                    "message": "Required",
                }
            ]
        )
    rng = random.Random()
    stamp = iso(now())
    with state.lock:
        workflow_id = body.get("workflow_id")
        if workflow_id:
            if not is_uuid(str(workflow_id)) or workflow_id not in state.workflows:
                raise v1_error("Invalid workflow_id")
        elif body.get("workflow_name"):
            workflow_id = seeded_uuid(rng)
            state.workflows[workflow_id] = {
                "id": workflow_id,
                "user_id": USER_ID,
                "org_id": None,
                "name": str(body["workflow_name"]),
                "selected_machine_id": None,
                "created_at": stamp,
                "updated_at": stamp,
                "pinned": False,
                "deleted": False,
                "description": None,
                "cover_image": None,
            }
        else:
            raise v1_error("Invalid request, missing either workflow_id or name")
        numbers = [v["version"] for v in state.versions.values() if v["workflow_id"] == workflow_id]
        number = max(numbers, default=0) + 1
        version_id = seeded_uuid(rng)
        state.versions[version_id] = {
            "id": version_id,
            "workflow_id": workflow_id,
            "workflow": body.get("workflow"),
            "workflow_api": body["workflow_api"],
            "user_id": USER_ID,
            "comment": None,
            "version": number,
            "snapshot": body.get("snapshot"),
            "dependencies": body.get("dependencies"),
            "created_at": stamp,
            "updated_at": stamp,
        }
        state.workflows[workflow_id]["updated_at"] = stamp
    return {"workflow_id": workflow_id, "version": number}
