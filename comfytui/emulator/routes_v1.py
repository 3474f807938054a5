"""The legacy dialects (reference §1, §7): hosted v1 and the open-source self-host server.

Both share the run, upload-url and workflow routes; the hosted flavour adds deployment listing,
deployment inputs and the websocket route, and keeps the nine-status lifecycle.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response

from comfytui.emulator import webhooks
from comfytui.emulator.auth import V1Error, install_v1_handlers, v1_auth_dependency, v1_error
from comfytui.emulator.common import file_id, is_uuid, now
from comfytui.emulator.discovery import legacy_input_defs
from comfytui.emulator.seed import USER_ID
from comfytui.emulator.shapes import BUCKET
from comfytui.emulator.shapes_v1 import hosted_run, selfhost_run
from comfytui.emulator.state import EmulatorState, RunError
from comfytui.emulator.v1_bodies import new_version, zod_error

SELFHOST_TYPES = ("image/png", "image/jpg", "image/jpeg")
HOSTED_TYPES = SELFHOST_TYPES + (
    "image/webp",
    "video/mp4",
    "video/webm",
    "application/octet-stream",
    "application/zip",
)
MAX_PRESIGNED = 50 * 1024 * 1024


def _bad_uuid(value: str) -> V1Error:
    return v1_error(f'invalid input syntax for type uuid: "{value}"')


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise zod_error(
            [
                {
                    "code": "invalid_type",
                    "expected": "object",
                    "received": "null",
                    "path": [],
                    "message": "Expected object, received null",
                }
            ]
        )
    return body


def _presigned_url(state: EmulatorState, key: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    query = (
        f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD"
        f"&X-Amz-Credential=EMULATOR%2F{stamp[:8]}%2Fauto%2Fs3%2Faws4_request"
        f"&X-Amz-Date={stamp}&X-Amz-Expires=300&X-Amz-Signature={secrets.token_hex(32)}"
        f"&X-Amz-SignedHeaders=host&x-amz-acl=public-read&x-id=PutObject"
    )
    return f"{state.storage_url}{key}?{query}"


def build(state: EmulatorState, hosted: bool) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    install_v1_handlers(app)
    auth = [Depends(v1_auth_dependency(state))]
    api = APIRouter(prefix="/api")
    run_shape = hosted_run if hosted else selfhost_run

    @api.post("/run", dependencies=auth)
    async def create_run(request: Request):
        body = await _json_body(request)
        deployment_id = body.get("deployment_id")
        if not isinstance(deployment_id, str):
            raise zod_error(
                [
                    {
                        "code": "invalid_type",
                        "expected": "string",
                        "received": type(deployment_id).__name__,
                        "path": ["deployment_id"],
                        "message": "Required",
                    }
                ]
            )
        if not is_uuid(deployment_id):
            raise _bad_uuid(deployment_id)
        inputs = body.get("inputs") if isinstance(body.get("inputs"), dict) else {}
        webhook = body.get("webhook") if hosted else None
        try:
            record = state.create_run(
                deployment_id,
                inputs,
                webhook=webhook,
                intermediate=bool(body.get("webhook_intermediate_status")) and hosted,
            )
        except RunError as exc:
            raise v1_error(f"{exc.what} not found") from None
        webhooks.schedule(state, record)
        return {"run_id": record.id}

    @api.get("/run", dependencies=auth)
    async def get_run(run_id: str | None = None):
        if run_id is None:
            raise zod_error(
                [
                    {
                        "code": "invalid_type",
                        "expected": "string",
                        "received": "undefined",
                        "path": ["run_id"],
                        "message": "Required",
                    }
                ]
            )
        if not is_uuid(run_id):
            raise _bad_uuid(run_id)
        record = state.runs.get(run_id)
        if record is None:
            raise V1Error(400, {"code": 400, "message": "Workflow not found"})
        return run_shape(state, record, now())

    @api.get("/upload-url", dependencies=auth)
    async def upload_url(type: str | None = None, file_size: str | None = None):  # noqa: A002
        allowed = HOSTED_TYPES if hosted else SELFHOST_TYPES
        issues = []
        if type not in allowed:
            options = " | ".join(f"'{t}'" for t in allowed)
            issues.append(
                {
                    "received": type,
                    "code": "invalid_enum_value",
                    "options": list(allowed),
                    "path": ["type"],
                    "message": f"Invalid enum value. Expected {options}, received '{type}'",
                }
            )
        try:
            size = float(file_size or "")
        except ValueError:
            size = -1.0
        if size <= 0:
            issues.append(
                {
                    "code": "custom",
                    "path": ["file_size"],
                    "message": "file_size must be a positive number",
                }
            )
        if issues:
            raise zod_error(issues)
        if size > MAX_PRESIGNED:
            raise v1_error("File size exceeds 50MB limit")
        fid = file_id("img_")
        extension = type.split("/")[-1].replace("octet-stream", "bin")
        key = f"/{BUCKET}/inputs/{fid}.{extension}"
        state.presigned[key] = type
        return {
            "upload_url": _presigned_url(state, key),
            "file_id": fid,
            "download_url": f"{state.storage_url}{key}",
        }

    @api.post("/workflow", dependencies=auth)
    async def push_workflow(request: Request):
        body = await _json_body(request)
        return new_version(state, body, require_snapshot=not hosted)

    @api.get("/workflow-version/{version_id}", dependencies=auth)
    async def workflow_version(version_id: str):
        if not is_uuid(version_id):
            raise _bad_uuid(version_id)
        version = state.versions.get(version_id)
        if version is None:
            raise v1_error("No version found")
        keys = [
            "workflow_id",
            "id",
            "workflow",
            "workflow_api",
            "version",
            "snapshot",
            "created_at",
            "updated_at",
        ]
        if hosted:
            keys += ["user_id", "comment", "dependencies"]
        body = json.dumps({key: version.get(key) for key in keys})
        return Response(body, media_type="text/plain;charset=UTF-8")

    @api.get("/auth-response/{request_id}")
    async def auth_response(request_id: str):
        if request_id.startswith("pending"):
            return Response(
                json.dumps({"message": "Not ready yet."}), 201, media_type="application/json"
            )
        if request_id in state.auth_requests:
            return Response(
                json.dumps({"message": "Already used."}), 201, media_type="application/json"
            )
        state.auth_requests.add(request_id)
        return {"api_key": state.api_key, "name": USER_ID}

    if hosted:
        _hosted_routes(state, api, auth)
    app.include_router(api)
    return app


def _hosted_routes(state: EmulatorState, api: APIRouter, auth: list[Any]) -> None:
    """Routes only the hosted v1 service had (§1.9)."""

    def inputs_of(deployment: dict[str, Any]) -> list[dict[str, Any]]:
        version = state.versions.get(deployment["workflow_version_id"], {})
        return legacy_input_defs(version.get("workflow_api"))

    @api.get("/deployment", dependencies=auth)
    async def deployments(environment: str = "production"):
        # §1.9: one environment per request (the entries carry no environment field); without
        # the parameter the service lists production
        if environment not in ("production", "staging"):
            raise zod_error(
                [
                    {
                        "code": "invalid_enum_value",
                        "path": ["environment"],
                        "options": ["production", "staging"],
                        "received": environment,
                        "message": "Invalid enum value",
                    }
                ]
            )
        return [
            {
                "deployment_id": d["id"],
                "name": state.workflow_name(d["workflow_id"]),
                "inputs_definition": inputs_of(d),
            }
            for d in state.deployments.values()
            if d["environment"] == environment
        ]

    @api.get("/deployment/{deployment_id}/inputs", dependencies=auth)
    async def deployment_inputs(deployment_id: str):
        deployment = state.deployments.get(deployment_id)
        if deployment is None:
            raise v1_error("Deployment not found")
        return inputs_of(deployment)

    @api.get("/websocket/{deployment_id}", dependencies=auth)
    async def websocket(deployment_id: str):
        if deployment_id not in state.deployments:
            raise v1_error("Deployment not found")
        return {"ws_connection_url": f"wss://example.invalid/ws/{deployment_id}?token=emu"}
