"""Pure pieces of the client: base URLs, Retry-After, error mapping, the retry decision."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
import support_client as support
from support_client import make_client

from comfytui.api.errmap import error_for_status, retry_after_seconds
from comfytui.api.retry import RetryPolicy
from comfytui.api.urls import ApiBase
from comfytui.errors import (
    ApiError,
    AuthError,
    ConfigError,
    ConnectFailedError,
    InputError,
    NetworkError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    ValidationError,
)

legacy_emus = support.legacy_emus  # shared fixture


@pytest.mark.parametrize(
    "given",
    ["http://h:8000", "http://h:8000/", "http://h:8000/api", "http://h:8000/api/", "h:8000/api"],
)
def test_base_url_forms(given):
    base = ApiBase.parse(given if "://" in given else "http://" + given)
    assert base.root == "http://h:8000/api" and base.host == "h:8000"
    assert base.url("run/1") == base.url("/run/1") == base.url("/api/run/1")
    assert base.url("run/1") == "http://h:8000/api/run/1"


def test_base_url_prefix_and_origin():
    base = ApiBase.parse("https://example.com/comfy/api/")
    assert base.root == "https://example.com/comfy/api" and base.origin == "https://example.com"
    assert base.is_api_origin("https://example.com:443/x")
    assert not base.is_api_origin("http://example.com/x")
    assert not base.is_api_origin("https://cdn.example.com/x")
    for bad in ("ftp://example.com", "http://", "https://:8000"):
        with pytest.raises(ConfigError, match="not an http"):
            ApiBase.parse(bad)


def test_retry_after_forms():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 01 Jan 2025 12:00:05 GMT", now) == 5.0
    assert retry_after_seconds("Wed, 01 Jan 2025 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def _error(status: int, body: object, headers: dict | None = None) -> ApiError:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return error_for_status(status, httpx.Headers(headers or {}), content, "h:1", "SECRET")


def test_error_shapes():
    fastapi_422 = {"detail": [{"loc": ["body", "deployment_id"], "msg": "not a uuid"}]}
    error = _error(422, fastapi_422)
    assert isinstance(error, ValidationError) and error.fields == (
        "body.deployment_id: not a uuid",
    )
    assert str(error) == "h:1 rejected the request: body.deployment_id: not a uuid"
    zod = {
        "success": False,
        "error": {"issues": [{"path": ["type"], "message": "Invalid enum"}], "name": "ZodError"},
    }
    error = _error(400, zod)
    assert isinstance(error, ValidationError) and error.fields == ("type: Invalid enum",)
    assert isinstance(_error(400, {"code": 400, "message": "Workflow not found"}), NotFoundError)
    assert isinstance(_error(500, {"error": "Deployment not found"}), NotFoundError)
    assert isinstance(_error(401, b"Invalid or expired token"), AuthError)
    error = _error(502, b"<html><body>Bad gateway</body></html>", {"content-type": "text/html"})
    assert isinstance(error, ServerError) and str(error) == "h:1 had a server error (HTTP 502)"
    error = _error(500, {"detail": "bad key SECRET"})
    assert "SECRET" not in str(error) and "***" in str(error)
    error = _error(429, {}, {"retry-after": "7"})
    assert isinstance(error, RateLimitedError) and error.retry_after == 7.0
    assert isinstance(_error(302, b""), ProtocolError)


def test_retry_decisions():
    policy = RetryPolicy(retry_after_cap=10)
    get, post = policy.hook(idempotent=True), policy.hook(idempotent=False)
    assert get(ServerError("x", status_code=502)) is True
    assert get(ServerError("x", status_code=500)) is False
    assert get(RateLimitedError("x", retry_after=2.0)) == 2.0
    assert get(RateLimitedError("x", retry_after=60.0)) is False
    assert get(NetworkError("x")) is True and get(AuthError("x")) is False
    # queue_run: only a connection that was never opened may be retried.
    assert post(ConnectFailedError("x")) is True
    assert post(NetworkError("x")) is False
    assert post(ServerError("x", status_code=502)) is False
    assert post(RateLimitedError("x", retry_after=1.0)) is False


async def test_422_from_the_server_lists_fields(emulator):
    async with make_client(emulator) as client:
        with pytest.raises(ValidationError) as caught:
            await client.get_run("not-a-uuid")
    assert caught.value.fields and "run_id" in str(caught.value)


async def test_selfhost_zod_400_is_validation_error(legacy_emus, tmp_path):
    emu = legacy_emus["selfhost"]
    emu.reset()
    path = tmp_path / "clip.webp"
    path.write_bytes(b"RIFF0000WEBP")
    async with make_client(emu) as client:
        with pytest.raises(ValidationError, match="type") as caught:
            await client.upload_file(path)  # self-host only presigns png/jpeg
    assert caught.value.status_code == 400


async def test_unserialisable_inputs_are_input_errors(emulator):
    async with make_client(emulator) as client:
        with pytest.raises(InputError):
            await client.queue_run("d", {"x": object()})
        with pytest.raises(InputError):
            await client.queue_run("d", {"x": float("nan")})


@pytest.mark.parametrize(
    "given",
    [
        "http://H:8000",
        "https://Example.COM:443/api/",
        "http://127.0.0.1:80",
        "http://[::1]:9/x/api",
        "https://user:pw@h.com/p",
        "api.comfydeploy.com/api",
        "https://bücher.de/",
    ],
)
def test_base_url_parse_matches_httpx(given):
    """ApiBase parses with urllib (no httpx import offline): same root, origin, host as httpx."""
    import httpx

    url = httpx.URL(given if "://" in given else "https://" + given)
    path = url.path.rstrip("/")
    path = path if path.endswith("/api") else path + "/api"
    origin = f"{url.scheme}://{url.netloc.decode()}"
    base = ApiBase.parse(given)
    assert (base.root, base.origin, base.host) == (origin + path, origin, url.netloc.decode())
