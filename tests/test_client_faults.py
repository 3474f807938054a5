"""Every fault the emulator injects: error type, one-line message without the key, attempts."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
import support_client as support
from support_client import FAULT_ERRORS, PNG, api_requests, deployment_id, make_client

from comfytui.api import ComfyDeployClient
from comfytui.errors import (
    ApiError,
    AuthError,
    ConnectFailedError,
    NotSupportedError,
    RateLimitedError,
    ServerError,
)

RUN_ID = "7d3a1c4e-8f5b-4c2a-9e61-3b2d5a0c9f77"
ATTEMPTS = 4  # make_client keeps the default retry_attempts

legacy_emus = support.legacy_emus  # shared fixtures
png = support.png


def check_message(error: ApiError, client: ComfyDeployClient, key: str) -> None:
    text = str(error)
    assert text and "\n" not in text and key not in text
    assert client.host in text


async def seeded_run(emu) -> str:
    async with make_client(emu) as client:
        return await client.queue_run(await deployment_id(client), {})


# kind, extra fault fields, attempts for a GET that keeps failing, message fragment
GET_FAULTS = [
    ("429", {"retry_after": 0.01}, ATTEMPTS, "rate limited by"),
    ("500", {}, 1, "HTTP 500"),
    ("502", {}, ATTEMPTS, "HTTP 502"),
    ("503", {}, ATTEMPTS, "HTTP 503"),
    ("401", {}, 1, "check COMFY_DEPLOY_API_KEY"),
    ("403", {}, 1, "refused"),
    ("404", {}, 1, "not found"),
    ("delay", {"delay": 0.5}, ATTEMPTS, "4 tries of 0.1 s"),
    ("malformed", {}, 1, "not JSON"),
    ("huge", {}, 1, "larger than 1 MB"),
    ("content_type", {}, 1, "not JSON (text/html)"),
    ("drop", {}, ATTEMPTS, "dropped"),
]


@pytest.mark.parametrize(("kind", "extra", "attempts", "fragment"), GET_FAULTS)
async def test_get_run_faults(emulator, kind, extra, attempts, fragment):
    error = FAULT_ERRORS[kind]
    run_id = await seeded_run(emulator)
    emulator.add_fault(kind=kind, route="/api/run/*", method="GET", **extra)
    before = len(api_requests(emulator, "GET", f"/api/run/{run_id}"))
    async with make_client(emulator, read_timeout=0.1, max_body_bytes=1_000_000) as client:
        with pytest.raises(error) as caught:
            await client.get_run(run_id)
    check_message(caught.value, client, emulator.api_key)
    assert fragment.lower() in str(caught.value).lower()
    sent = len(api_requests(emulator, "GET", f"/api/run/{run_id}")) - before
    assert sent == attempts


@pytest.mark.parametrize("kind", ["429", "502", "503", "drop", "delay"])
async def test_transient_faults_recover(emulator, kind):
    run_id = await seeded_run(emulator)
    emulator.add_fault(kind=kind, route="/api/run/*", count=2, retry_after=0.01, delay=0.5)
    async with make_client(emulator, read_timeout=0.2) as client:
        assert (await client.get_run(run_id)).id == run_id
    assert len(api_requests(emulator, "GET", f"/api/run/{run_id}")) == 3


async def test_retry_after_is_waited(emulator):
    run_id = await seeded_run(emulator)
    emulator.add_fault(kind="429", route="/api/run/*", count=1, retry_after=0.4)
    async with make_client(emulator) as client:
        start = time.monotonic()
        await client.get_run(run_id)
        assert time.monotonic() - start >= 0.4


async def test_long_retry_after_is_not_slept(emulator):
    emulator.add_fault(kind="429", route="/api/run/*", retry_after=120)
    async with make_client(emulator) as client:
        start = time.monotonic()
        with pytest.raises(RateLimitedError, match="try again in 120 s") as caught:
            await client.get_run(RUN_ID)
        assert time.monotonic() - start < 1 and caught.value.retry_after == 120
    assert len(api_requests(emulator, "GET", f"/api/run/{RUN_ID}")) == 1


@pytest.mark.parametrize("kind", ["502", "503", "429", "500", "drop", "delay"])
async def test_queue_run_is_never_retried_once_sent(emulator, kind):
    async with make_client(emulator, read_timeout=0.2) as client:
        dep = await deployment_id(client)
        emulator.add_fault(kind=kind, route="/api/run/deployment/queue", retry_after=0, delay=1)
        with pytest.raises(ApiError) as caught:
            await client.queue_run(dep, {})
        check_message(caught.value, client, emulator.api_key)
    assert len(api_requests(emulator, "POST", "/api/run/deployment/queue")) == 1


async def test_stream_run_is_never_retried(emulator):
    async with make_client(emulator) as client:
        dep = await deployment_id(client)
        emulator.add_fault(kind="502", route="/api/run/deployment/stream")
        with pytest.raises(ServerError):
            [item async for item in client.stream_run(dep, {})]
    assert len(api_requests(emulator, "POST", "/api/run/deployment/stream")) == 1


async def test_listing_404_is_not_supported(emulator):
    emulator.add_fault(kind="404", route="/api/workflows")
    async with make_client(emulator, dialect="v2") as client:
        with pytest.raises(NotSupportedError, match="does not list workflows") as caught:
            await client.list_workflows()
    check_message(caught.value, client, emulator.api_key)


async def test_connection_refused_is_connect_failed():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ComfyDeployClient(
        f"http://127.0.0.1:{port}",
        "KEY",
        dialect="v2",
        retry_attempts=2,
        retry_wait_initial=0.01,
        retry_jitter=0,
    )
    async with client:
        with pytest.raises(ConnectFailedError, match=f"cannot connect to 127.0.0.1:{port}"):
            await client.get_run(RUN_ID)
        with pytest.raises(ConnectFailedError):  # provably unsent: retrying it is allowed
            await client.queue_run("d", {})


@pytest.mark.parametrize("dialect", ["legacy", "selfhost"])
@pytest.mark.parametrize(
    ("kind", "attempts"),
    [("401", 1), ("500", 1), ("502", ATTEMPTS), ("429", ATTEMPTS), ("malformed", 1)],
)
async def test_legacy_faults(legacy_emus, dialect, kind, attempts):
    error = FAULT_ERRORS[kind]
    emu = legacy_emus[dialect]
    emu.reset()
    emu.add_fault(kind=kind, route="/api/run", method="GET", retry_after=0.01)
    async with make_client(emu, dialect=dialect) as client:
        with pytest.raises(error) as caught:
            await client.get_run(RUN_ID)
    check_message(caught.value, client, emu.api_key)
    assert len(api_requests(emu, "GET", "/api/run")) == attempts


async def test_wrong_key_message(emulator):
    async with ComfyDeployClient(emulator.api_url, "sk-wrong-key-123") as client:
        with pytest.raises(AuthError) as caught:
            await client.list_deployments()
    assert str(caught.value) == (f"API key rejected by {client.host}: check COMFY_DEPLOY_API_KEY")
    assert "sk-wrong-key-123" not in str(caught.value)


async def test_key_never_reaches_storage_host(emulator, legacy_emus, png):
    """Uploads and downloads on the storage listener never carry Authorization."""
    for emu in (emulator, legacy_emus["legacy"]):
        emu.reset()
        async with make_client(emu) as client:
            dep = await deployment_id(client)
            run = await client.get_run(await client.queue_run(dep, {}))
            await client.download(run.outputs[0].url)
            url = await client.upload_file(png)
            assert (await client.download(url)).content == PNG
        storage_port = int(emu.storage_url.rsplit(":", 1)[1])
        storage = [r for r in emu.requests() if r["port"] == storage_port]
        assert storage and all("authorization" not in r["headers"] for r in storage)
        assert all(emu.api_key not in str(r) for r in storage)
        api = api_requests(emu)
        assert api and all(r["headers"].get("authorization") for r in api)
    puts = [r for r in legacy_emus["legacy"].requests() if r["method"] == "PUT"]
    assert puts and puts[0]["headers"].get("x-amz-acl") == "public-read"


async def test_redirects_drop_the_key_off_origin(emulator):
    """A redirect to another origin is followed without the Authorization header."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.test":
            return httpx.Response(302, headers={"location": "http://cdn.test/run.json"})
        return httpx.Response(200, json={"id": "r", "status": "success"})

    client = ComfyDeployClient("http://api.test", "SECRET", dialect="v2")
    client._transport._client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with client:
        assert (await client.get_run("r")).id == "r"
    assert seen[0].headers["authorization"] == "Bearer SECRET"
    assert "authorization" not in seen[1].headers
