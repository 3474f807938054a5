"""Fault matrix: every client operation x every fault the emulator injects.

For each case: the right `ApiError` subclass, a one-line message without the key, a bounded
number of attempts (counted in the emulator's request log) and no retry of a request that may
have started a paid run (queue_run, upload). The client runs with tiny waits so the matrix is
fast; the delay fault uses a short read timeout.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support_client import FAULT_ERRORS

from comfytui.api import ComfyDeployClient
from comfytui.errors import (
    ApiError,
    AuthError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    NotSupportedError,
    ProtocolError,
)

ATTEMPTS = 3
READ_TIMEOUT = 0.25
DELAY = 0.6
MAX_BODY = 1_000_000

FAULTS = ("429", "500", "502", "503", "delay", "malformed", "huge", "content_type", "drop")
FAULTS += ("401", "403", "404")


def tiny_png() -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00\xff\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def make_client(emu: Any, **overrides: Any) -> ComfyDeployClient:
    options: dict[str, Any] = dict(
        dialect="v2",
        connect_timeout=2.0,
        read_timeout=READ_TIMEOUT,
        max_body_bytes=MAX_BODY,
        retry_attempts=ATTEMPTS,
        retry_timeout=10.0,
        retry_wait_initial=0.001,
        retry_wait_max=0.01,
        retry_jitter=0.0,
        retry_after_cap=1.0,
    )
    options.update(overrides)
    return ComfyDeployClient(emu.api_url, emu.api_key, **options)


@dataclass
class Ids:
    workflow: str
    version: str
    deployment: str
    machine: str
    run: str
    output_url: str
    output_path: str
    upload: Path


_DISCOVERED: dict[str, tuple[str, str, str, str, str, str]] = {}


async def discover(emu: Any, tmp_path: Path) -> Ids:
    """Real ids from the emulator (no faults yet), and a finished seed run with an output.

    Seed ids are stable across `emulator.reset()`, so they are looked up once per server."""
    found = _DISCOVERED.get(emu.api_url)
    if found is None:
        async with make_client(emu, read_timeout=10.0) as client:
            workflows = await client.list_workflows()
            versions = await client.list_workflow_versions(workflows[0].id)
            deployments = await client.list_deployments()
            deployment = next(
                d for d in deployments if d.name == "txt2img" and d.environment == "production"
            )
            machines = await client.list_machines()
            run = None
            for candidate in deployments:
                runs = await client.list_deployment_runs(candidate.id)
                run = next((r for r in runs if r.status.value == "success" and r.outputs), None)
                if run is not None:
                    break
            if run is None:  # no finished seed run: make one
                run = await client.get_run(await client.queue_run(deployment.id, {}))
            assert run.is_terminal and run.outputs, run
        url = run.outputs[0].url
        found = (workflows[0].id, versions[0].id, deployment.id, machines[0].id, run.id, url)
        _DISCOVERED[emu.api_url] = found
    upload = tmp_path / "input.png"
    upload.write_bytes(tiny_png())
    workflow, version, deployment_id, machine, run_id, url = found
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    return Ids(workflow, version, deployment_id, machine, run_id, url, path, upload)


@dataclass(frozen=True)
class Op:
    method: str
    path: Callable[[Ids], str]
    call: Callable[[ComfyDeployClient, Ids], Awaitable[Any]]
    listing: bool = False  # a 404 here means "this server does not list X"
    sends_work: bool = False  # may start paid work: never retried once sent


OPS: dict[str, Op] = {
    "list_workflows": Op("GET", lambda i: "/api/workflows", lambda c, i: c.list_workflows(), True),
    "get_workflow": Op(
        "GET", lambda i: f"/api/workflow/{i.workflow}", lambda c, i: c.get_workflow(i.workflow)
    ),
    "list_workflow_versions": Op(
        "GET",
        lambda i: f"/api/workflow/{i.workflow}/versions",
        lambda c, i: c.list_workflow_versions(i.workflow),
    ),
    "get_workflow_version": Op(
        "GET",
        lambda i: f"/api/workflow-version/{i.version}",
        lambda c, i: c.get_workflow_version(i.version),
    ),
    "list_deployments": Op(
        "GET", lambda i: "/api/deployments", lambda c, i: c.list_deployments(), True
    ),
    "get_deployment": Op(
        "GET",
        lambda i: f"/api/deployment/{i.deployment}",
        lambda c, i: c.get_deployment(i.deployment),
    ),
    "list_deployment_runs": Op(
        "GET",
        lambda i: f"/api/deployment/{i.deployment}/runs",
        lambda c, i: c.list_deployment_runs(i.deployment),
    ),
    "list_machines": Op("GET", lambda i: "/api/machines", lambda c, i: c.list_machines(), True),
    "get_machine": Op(
        "GET", lambda i: f"/api/machine/{i.machine}", lambda c, i: c.get_machine(i.machine)
    ),
    "get_run": Op("GET", lambda i: f"/api/run/{i.run}", lambda c, i: c.get_run(i.run)),
    "queue_run": Op(
        "POST",
        lambda i: "/api/run/deployment/queue",
        lambda c, i: c.queue_run(i.deployment, {"prompt": "fault matrix"}),
        sends_work=True,
    ),
    "cancel_run": Op(
        "POST", lambda i: f"/api/run/{i.run}/cancel", lambda c, i: c.cancel_run(i.run)
    ),
    "upload_file": Op(
        "POST",
        lambda i: "/api/file/upload",
        lambda c, i: c.upload_file(i.upload),
        sends_work=True,
    ),
    "download": Op("GET", lambda i: i.output_path, lambda c, i: c.download(i.output_url)),
}
OPS_DOWNLOAD_PATH = OPS["download"].path


def expected_error(op: Op, fault: str) -> type[ApiError]:
    if op.method == "GET" and op.path is OPS_DOWNLOAD_PATH and fault == "drop":
        # the emulator's drop starts a 200 labelled application/json: the download's type
        # check refuses it before reading the body that would have been cut
        return ProtocolError
    if fault == "404":
        return NotSupportedError if op.listing else NotFoundError
    if fault == "401" and op.path is OPS_DOWNLOAD_PATH:
        return ForbiddenError  # no key goes to the storage host, so the key is not to blame
    return FAULT_ERRORS[fault]


def expected_attempts(op: Op, fault: str) -> int:
    """How many requests the log must show: retried faults on idempotent ops use all tries."""
    if op.sends_work:
        return 1  # queue/upload: one request, whatever happened to it
    if fault == "drop" and op.path is OPS_DOWNLOAD_PATH:
        return 1
    if fault in ("429", "502", "503", "delay", "drop"):
        return ATTEMPTS
    return 1


def fault_spec(fault: str, path: str, method: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"kind": fault, "route": path, "method": method}
    if fault == "429":
        spec["retry_after"] = 0.01
    if fault == "delay":
        spec["delay"] = DELAY
    return spec


def matching(emu: Any, path: str, method: str, since: int) -> list[dict[str, Any]]:
    return [r for r in emu.requests()[since:] if r["path"] == path and r["method"] == method]


CASES = [(op, fault) for op in OPS for fault in FAULTS]


@pytest.mark.parametrize(("op_name", "fault"), CASES, ids=[f"{o}-{f}" for o, f in CASES])
async def test_fault_matrix(emulator, tmp_path, op_name, fault):
    op = OPS[op_name]
    ids = await discover(emulator, tmp_path)
    path = op.path(ids)
    runs_before = len(emulator.state.runs)
    emulator.add_fault(**fault_spec(fault, path, op.method))
    since = len(emulator.requests())

    async with make_client(emulator) as client:
        with pytest.raises(ApiError) as caught:
            await op.call(client, ids)

    error = caught.value
    wanted = expected_error(op, fault)
    assert isinstance(error, wanted), f"{type(error).__name__}: {error}"
    message = str(error)
    assert message and "\n" not in message and len(message) <= 300
    assert emulator.api_key not in message and emulator.api_key not in repr(error)
    assert error.__cause__ is None or emulator.api_key not in repr(error.__cause__)

    attempts = len(matching(emulator, path, op.method, since))
    assert attempts == expected_attempts(op, fault), f"{attempts} requests"
    if op_name == "queue_run":
        # whatever the fault, at most the one run the single request may have created
        assert len(emulator.state.runs) - runs_before <= 1


@pytest.mark.parametrize("fault", ["429", "502", "503", "drop", "delay"])
async def test_transient_fault_recovers_within_attempts(emulator, tmp_path, fault):
    """A fault that clears before the attempts run out is invisible to the caller."""
    ids = await discover(emulator, tmp_path)
    spec = fault_spec(fault, "/api/deployments", "GET")
    emulator.add_fault(**spec, count=ATTEMPTS - 1)
    since = len(emulator.requests())
    async with make_client(emulator) as client:
        deployments = await client.list_deployments()
    assert any(d.id == ids.deployment for d in deployments)
    assert len(matching(emulator, "/api/deployments", "GET", since)) == ATTEMPTS


async def test_queue_run_not_retried_after_timeout_even_though_server_queued(emulator, tmp_path):
    """The dangerous case: the request reached the server (which queued a run) but the answer
    never came. A retry would start a second paid run; the client must not send one."""
    ids = await discover(emulator, tmp_path)
    before = set(emulator.state.runs)
    emulator.add_fault(kind="delay", delay=DELAY, route="/api/run/deployment/queue", count=1)
    since = len(emulator.requests())
    async with make_client(emulator) as client:
        with pytest.raises(NetworkError):
            await client.queue_run(ids.deployment, {})
    await asyncio.sleep(DELAY + 0.2)  # let the server finish the delayed request
    assert len(matching(emulator, "/api/run/deployment/queue", "POST", since)) == 1
    assert len(set(emulator.state.runs) - before) == 1  # the server started it; no second run


async def test_connection_refused_is_network_error(emulator_factory, tmp_path):
    emu = emulator_factory()
    url, key = emu.api_url, emu.api_key
    emu.stop()
    async with ComfyDeployClient(
        url, key, dialect="v2", retry_attempts=2, retry_wait_initial=0.001, retry_jitter=0
    ) as client:
        for call in (client.list_deployments(), client.queue_run("x", {})):
            with pytest.raises(NetworkError) as caught:
                await call
            assert key not in str(caught.value) and "\n" not in str(caught.value)


def test_matrix_size():
    """The figure for docs/reliability.md: operations x faults."""
    assert len(OPS) == 14 and len(FAULTS) == 12 and len(CASES) == 168


# --- through services: a refresh under a fault leaves the cache as it was -------------------------

KINDS = ("workflows", "deployments", "machines", "runs")


def session_for(emu: Any):  # noqa: ANN201 - services.Session opening
    from dataclasses import replace

    from comfytui.services import Session
    from comfytui.settings import Secret, load_settings

    settings = replace(
        load_settings(keyring_lookup=False),
        api_key=Secret(emu.api_key),
        dialect="v2",
        read_timeout=READ_TIMEOUT,
        max_body_mb=MAX_BODY / 1_000_000,
    )
    options = dict(
        retry_attempts=ATTEMPTS,
        retry_timeout=10.0,
        retry_wait_initial=0.001,
        retry_wait_max=0.01,
        retry_jitter=0.0,
        retry_after_cap=1.0,
    )
    return Session.open(settings, emulator=emu, client_options=options)


async def cached_snapshot(session: Any) -> dict[str, list[Any]]:
    catalog = session.catalog
    return {
        "workflows": list((await catalog.cached_workflows()).items),
        "deployments": list((await catalog.cached_deployments()).items),
        "machines": list((await catalog.cached_machines()).items),
        "runs": list((await catalog.cached_runs(limit=10_000)).items),
    }


REFRESH_CASES = [(kind, fault) for kind in KINDS for fault in FAULTS]


@pytest.mark.parametrize(
    ("kind", "fault"), REFRESH_CASES, ids=[f"{k}-{f}" for k, f in REFRESH_CASES]
)
async def test_refresh_under_fault_keeps_the_cache(emulator, kind, fault):
    async with session_for(emulator) as session:
        for name in KINDS:
            listing = await getattr(session.catalog, f"refresh_{name}")()
            assert listing.error is None and listing.items, (name, listing.error)
        before = await cached_snapshot(session)
        spec = fault_spec(fault, "", "GET")
        spec.pop("route"), spec.pop("method")
        emulator.add_fault(**spec)  # every /api route, every method
        try:
            listing = await getattr(session.catalog, f"refresh_{kind}")()
        except (AuthError, ForbiddenError) as exc:
            # by design (services/base.py): a rejected key is raised, no cache hides it
            assert fault in ("401", "403") and emulator.api_key not in str(exc)
            listing = None
        emulator.clear_faults()
        if listing is not None and not (kind == "runs" and fault == "404"):
            # (runs: a 404 on one deployment's runs means "deleted deployment", not an error)
            assert listing.error, f"refresh_{kind} under {fault} reported no error"
            assert "\n" not in listing.error and emulator.api_key not in listing.error
            assert listing.offline or listing.not_supported or listing.exception is not None
            assert list(listing.items) == before[kind][: len(listing.items)]
        after = await cached_snapshot(session)
    assert after == before


START_FAULTS = ("429", "500", "502", "503", "delay", "malformed", "content_type", "drop", "401")


@pytest.mark.parametrize("fault", START_FAULTS)
async def test_start_run_under_fault_is_one_request(emulator, fault):
    """services.runs.start under a fault on the queue route: an error, one queue request, and no
    invented run in the cache."""
    async with session_for(emulator) as session:
        deployment = await session.catalog.resolve_deployment("txt2img")
        deployment = await session.catalog.ensure_inputs(deployment)
        runs_before = await session.catalog.count_cached_runs()
        emulator.add_fault(**fault_spec(fault, "/api/run/deployment/queue", "POST"))
        since = len(emulator.requests())
        if fault == "delay":
            # the server made the run and answered too late: looked up and adopted (issue 16),
            # never sent again
            run = await session.runs.start(deployment, {"prompt": "under fault"})
            emulator.clear_faults()
            assert run.id in emulator.state.runs
            assert len(matching(emulator, "/api/run/deployment/queue", "POST", since)) == 1
            assert await session.catalog.count_cached_runs() == runs_before + 1
            return
        with pytest.raises(ApiError) as caught:
            await session.runs.start(deployment, {"prompt": "under fault"})
        emulator.clear_faults()
        assert emulator.api_key not in str(caught.value)
        assert len(matching(emulator, "/api/run/deployment/queue", "POST", since)) == 1
        assert await session.catalog.count_cached_runs() == runs_before
