"""Shared helpers of the client tests (no tests here): client factory, request log, fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from comfytui import errors
from comfytui.api import ComfyDeployClient
from comfytui.emulator.server import EmulatorServer

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 2048

#: the error an API call raises for each fault the emulator injects (a route where the 404 or
#: 401 means something else says so itself); stated here, not read from `api/errmap.py`
FAULT_ERRORS: dict[str, type[errors.ApiError]] = {
    "429": errors.RateLimitedError,
    "500": errors.ServerError,
    "502": errors.ServerError,
    "503": errors.ServerError,
    "401": errors.AuthError,
    "403": errors.ForbiddenError,
    "404": errors.NotFoundError,
    "delay": errors.NetworkError,
    "malformed": errors.ProtocolError,
    "huge": errors.ProtocolError,
    "content_type": errors.ProtocolError,
    "drop": errors.NetworkError,
}


def make_client(emu, **kwargs) -> ComfyDeployClient:
    base_url = kwargs.pop("base_url", emu.api_url)
    options = dict(read_timeout=5.0, retry_wait_initial=0.01, retry_wait_max=0.05, retry_jitter=0)
    return ComfyDeployClient(base_url, emu.api_key, **{**options, **kwargs})


def api_requests(emu, method: str | None = None, path: str | None = None) -> list[dict]:
    port = int(emu.api_url.rsplit(":", 1)[1].split("/")[0])
    return [
        r
        for r in emu.requests()
        if r["port"] == port
        and (method is None or r["method"] == method)
        and (path is None or r["path"] == path)
    ]


async def deployment_id(client: ComfyDeployClient, name: str = "txt2img") -> str:
    deployments = await client.list_deployments(environment="production")
    return next(d.id for d in deployments if d.name == name)


@pytest.fixture(scope="module")
def legacy_emus() -> Iterator[dict[str, EmulatorServer]]:
    with (
        EmulatorServer(dialect="legacy", speed=0.0) as legacy,
        EmulatorServer(dialect="selfhost", speed=0.0) as selfhost,
    ):
        yield {"legacy": legacy, "selfhost": selfhost}


@pytest.fixture
def png(tmp_path) -> Path:
    path = tmp_path / "in.png"
    path.write_bytes(PNG)
    return path
