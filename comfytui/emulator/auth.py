"""Bearer-key checks and the error responses of each dialect family."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from comfytui.emulator.state import EmulatorState

NOT_FOUND_PAGE = (
    "<!DOCTYPE html><html><head><title>404: This page could not be found.</title></head>"
    "<body><h1>404</h1><h2>This page could not be found.</h2></body></html>"
)


class V1Error(Exception):
    """An error answered in v1 style: plain text, `{error}`, `{code, message}` or Zod bodies."""

    def __init__(self, status: int, body: Any, media_type: str = "application/json") -> None:
        super().__init__(status)
        self.status, self.body, self.media_type = status, body, media_type


def v1_error(message: str, status: int = 500) -> V1Error:
    return V1Error(status, {"error": message})


def _token(request: Request, allow_x_api_key: bool) -> str | None:
    header = request.headers.get("authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer ") :].strip()
    if allow_x_api_key:
        return request.headers.get("x-api-key")
    return None


def v2_auth_dependency(state: EmulatorState):
    """FastAPI dependency: `Authorization: Bearer KEY` or `x-api-key`, else 401 `{detail}`."""

    async def check(request: Request) -> None:
        token = _token(request, allow_x_api_key=True)
        if not token:
            raise HTTPException(401, "Invalid or missing token")
        if token != state.api_key:
            raise HTTPException(401, "Invalid or expired token")

    return check


def v1_auth_dependency(state: EmulatorState):
    """v1 middleware: second token of the header is the key; failure is 401 text/plain."""

    async def check(request: Request) -> None:
        parts = request.headers.get("authorization", "").split(" ")
        if len(parts) < 2 or parts[1] != state.api_key:
            raise V1Error(401, "Invalid or expired token", "text/plain;charset=UTF-8")

    return check


def install_v1_handlers(app: FastAPI) -> None:
    """v1 errors and the Next.js-style HTML 404 for routes the server does not have."""

    @app.exception_handler(V1Error)
    async def _v1(_: Request, exc: V1Error) -> Response:
        body = exc.body if isinstance(exc.body, str) else json.dumps(exc.body)
        return Response(body, status_code=exc.status, media_type=exc.media_type)

    @app.exception_handler(404)
    async def _missing(_: Request, __: Exception) -> Response:
        return HTMLResponse(NOT_FOUND_PAGE, status_code=404)
