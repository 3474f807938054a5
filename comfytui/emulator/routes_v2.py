"""The v2 dialect (reference §2): FastAPI routes under `/api` with `{detail}` errors."""

from __future__ import annotations

import asyncio
import mimetypes
import uuid
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict

from comfytui.emulator import webhooks
from comfytui.emulator.auth import V1Error, v2_auth_dependency
from comfytui.emulator.common import file_id, now
from comfytui.emulator.logs import log_events
from comfytui.emulator.shapes import BUCKET, v2_deployment, v2_outputs, v2_run
from comfytui.emulator.state import EmulatorState, RunError, StoredFile
from comfytui.emulator.stream import sse_events
from comfytui.emulator.v1_bodies import new_version

MAX_UPLOAD = 250 * 1024 * 1024
UPLOAD_PREFIXES = {"image/": "img_", "video/": "vid_", "audio/": "audio_"}


class DeploymentRunRequest(BaseModel):
    """The queue body (§2.3); hidden extras are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    deployment_id: uuid.UUID
    inputs: dict[str, Any] = {}
    webhook: str | None = None
    webhook_intermediate_status: bool = False
    gpu: str | None = None
    flags: list[str] | None = None


def _page(
    items: list[dict[str, Any]], search: str | None, limit: int, offset: int, key: str = "name"
) -> list[dict[str, Any]]:
    if search:
        items = [item for item in items if search.lower() in str(item.get(key, "")).lower()]
    items = sorted(items, key=lambda item: item.get("updated_at") or "", reverse=True)
    return items[offset : offset + limit]


def build(state: EmulatorState) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    api = APIRouter(prefix="/api", dependencies=[Depends(v2_auth_dependency(state))])

    def found(table: dict[str, dict[str, Any]], key: str, what: str) -> dict[str, Any]:
        if key not in table:
            raise HTTPException(404, f"{what} not found")
        return table[key]

    @api.get("/workflows")
    async def workflows(search: str | None = None, limit: int = 100, offset: int = 0):
        return _page(list(state.workflows.values()), search, limit, offset)

    @api.get("/workflow/{workflow_id}")
    async def workflow(workflow_id: str):
        return found(state.workflows, workflow_id, "Workflow")

    @api.get("/workflow/{workflow_id}/versions")
    async def versions(workflow_id: str, limit: int = 100, offset: int = 0):
        found(state.workflows, workflow_id, "Workflow")
        items = [v for v in state.versions.values() if v["workflow_id"] == workflow_id]
        items.sort(key=lambda v: v["version"], reverse=True)
        return items[offset : offset + limit]

    @api.get("/workflow-version/{version_id}")
    async def workflow_version(version_id: str):
        return found(state.versions, version_id, "Workflow version")

    @api.get("/deployments")
    async def deployments(environment: str | None = None, page_size: int = 100, offset: int = 0):
        items = [
            d
            for d in state.deployments.values()
            if environment is None or d["environment"] == environment
        ]
        page = _page(items, None, page_size, offset)
        return [v2_deployment(state, d) for d in page]

    @api.get("/deployment/{deployment_id}")
    async def deployment(deployment_id: str):
        return v2_deployment(state, found(state.deployments, deployment_id, "Deployment"))

    @api.get("/deployment/{deployment_id}/runs")
    async def deployment_runs(deployment_id: str, limit: int = 50, offset: int = 0):
        found(state.deployments, deployment_id, "Deployment")
        when = now()
        runs = state.deployment_runs(deployment_id)[offset : offset + limit]
        return [v2_run(state, r, when) for r in runs]

    @api.get("/machines")
    async def machines(search: str | None = None, limit: int = 100, offset: int = 0):
        return _page(list(state.machines.values()), search, limit, offset)

    @api.get("/machine/{machine_id}")
    async def machine(machine_id: str):
        return found(state.machines, machine_id, "Machine")

    def create(body: DeploymentRunRequest):
        try:
            record = state.create_run(
                str(body.deployment_id),
                body.inputs,
                webhook=body.webhook,
                intermediate=body.webhook_intermediate_status,
                gpu=body.gpu,
            )
        except RunError as exc:
            raise HTTPException(404, f"{exc.what} not found") from None
        webhooks.schedule(state, record)
        return record

    @api.post("/run/deployment/queue")
    @api.post("/run/queue", include_in_schema=False)
    @api.post("/run", include_in_schema=False)
    async def queue(body: DeploymentRunRequest):
        return {"run_id": create(body).id}

    @api.post("/run/deployment/sync")
    async def sync(body: DeploymentRunRequest):
        record = create(body)
        while not (view := record.view(now())).terminal:
            await asyncio.sleep(0.05)
        return v2_outputs(state, record, view)

    @api.post("/run/deployment/stream")
    async def stream(body: DeploymentRunRequest):
        record = create(body)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(
            sse_events(state, record), media_type="text/event-stream", headers=headers
        )

    @api.get("/run")
    async def run_by_query(run_id: uuid.UUID = Query(...)):
        return await get_run(run_id)

    @api.get("/run/{run_id}")
    async def get_run(run_id: uuid.UUID, queue_position: bool = False):
        record = state.runs.get(str(run_id))
        if record is None:
            raise HTTPException(404, "Run not found")
        body = v2_run(state, record, now())
        if queue_position:
            body["queue_position"] = state.queue_position(record)
        return body

    @api.get("/v2/stream-logs")
    async def stream_logs(run_id: uuid.UUID = Query(...), log_level: str = "info"):
        record = state.runs.get(str(run_id))
        if record is None:
            raise HTTPException(404, "Run not found")
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        events = log_events(record, log_level, state.log_flood)
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)

    @api.post("/run/{run_id}/cancel")
    async def cancel(run_id: uuid.UUID):
        record = state.runs.get(str(run_id))
        if record is None:
            raise HTTPException(
                500, "Error cancel function 404: Run not found or has no modal function call ID"
            )
        if record.cancel(now()):
            webhooks.cancelled(state, record)
        return {"status": "success", "message": "Function cancelled"}

    @api.post("/workflow")
    async def push_workflow(body: dict[str, Any] = Body(...)):
        """The plugin's upload route (§1.6), kept by the v2 host; errors as `{detail}`."""
        try:
            return new_version(state, body, require_snapshot=False)
        except V1Error as exc:
            error = exc.body.get("error")
            if isinstance(error, dict):  # a Zod body -> FastAPI's 422 shape
                detail = [
                    {
                        "loc": ["body", *i.get("path", [])],
                        "msg": i.get("message", ""),
                        "type": i.get("code", ""),
                    }
                    for i in error.get("issues", [])
                ]
                raise HTTPException(422, detail) from None
            raise HTTPException(exc.status, error) from None

    @api.post("/file/upload")
    async def upload(file: UploadFile):
        name = file.filename or "upload.bin"
        content_type = mimetypes.guess_type(name)[0] or ""
        if not content_type.startswith(("image/", "video/", "application/", "audio/")):
            raise HTTPException(400, "Unsupported file type")
        content = await file.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            raise HTTPException(400, "File size exceeds 250MB limit")
        prefix = next(
            (p for k, p in UPLOAD_PREFIXES.items() if content_type.startswith(k)),
            "zip_" if content_type == "application/zip" else "file_",
        )
        fid = file_id(prefix)
        path = f"/{BUCKET}/assets/upload/{fid}/{name}"
        state.files[path] = StoredFile(content, content_type)
        return {
            "message": "File uploaded successfully",
            "file_id": fid,
            "file_name": name,
            "file_url": state.storage_url + quote(path),
        }

    app.include_router(api)
    return app
