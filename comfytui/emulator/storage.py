"""The storage host (second listener): presigned PUT uploads, uploaded files, output images."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request
from fastapi.responses import Response

from comfytui.emulator import images
from comfytui.emulator.common import now
from comfytui.emulator.media import MEDIA_TYPES
from comfytui.emulator.shapes import BUCKET, output_filename
from comfytui.emulator.state import EmulatorState, StoredFile


def _s3_error(status: int, code: str, message: str) -> Response:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
    )
    return Response(body, status_code=status, media_type="application/xml")


def build(state: EmulatorState) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.put("/{path:path}")
    async def put_object(path: str, request: Request) -> Response:
        key = "/" + path
        signed_type = state.presigned.get(key)
        if signed_type is None or "X-Amz-Signature" not in request.query_params:
            return _s3_error(403, "AccessDenied", "Request has no valid signature")
        if request.headers.get("content-type", "") != signed_type:
            return _s3_error(
                403, "SignatureDoesNotMatch", "The request signature we calculated does not match"
            )
        state.files[key] = StoredFile(await request.body(), signed_type)
        return Response(status_code=200, headers={"ETag": f'"{len(state.files)}"'})

    @app.get(f"/{BUCKET}/outputs/runs/{{run_id}}/{{filename}}")
    async def output(run_id: str, filename: str) -> Response:
        record = state.runs.get(run_id)
        if record is None or filename != output_filename(record):
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        if record.view(now()).status not in ("uploading", "success"):
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        content = await asyncio.to_thread(
            images.cached, (run_id, filename), record.inputs, record.output_format
        )
        return Response(content, media_type=MEDIA_TYPES.get(record.output_format, "image/png"))

    @app.get("/{path:path}")
    async def get_object(path: str) -> Response:
        stored = state.files.get("/" + path)
        if stored is None:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        return Response(stored.content, media_type=stored.content_type)

    return app
