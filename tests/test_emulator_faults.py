"""Injected faults: every kind, route globs, methods, counts, probability, control and CLI."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from comfytui.emulator.faults import HUGE_BYTES, FaultSpec


@pytest.mark.parametrize("kind", ["500", "502", "503", "401", "403", "404"])
def test_status_faults_answer_detail(emulator, api, kind):
    emulator.add_fault(kind=kind, route="/api/machines", count=1)
    reply = api.get("/machines")
    assert reply.status_code == int(kind)
    assert "detail" in reply.json()
    assert api.get("/machines").status_code == 200  # count exhausted


def test_429_has_retry_after(emulator, api):
    emulator.add_fault(kind="429", retry_after=2, count=2)
    assert [api.get("/machines").headers.get("retry-after") for _ in range(3)] == ["2", "2", None]


def test_delay(emulator, api):
    emulator.add_fault(kind="delay", delay=0.3, route="/api/deployments", count=1)
    started = time.monotonic()
    assert api.get("/deployments").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_malformed_json(emulator, api):
    emulator.add_fault(kind="malformed", count=1)
    reply = api.get("/machines")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        reply.json()


def test_wrong_content_type(emulator, api):
    emulator.add_fault(kind="content_type", count=1)
    reply = api.get("/machines")
    assert reply.headers["content-type"].startswith("text/html")


def test_huge_body_is_streamed_valid_json(emulator, api):
    emulator.add_fault(kind="huge", count=1)
    size = 0
    with api.stream("GET", "/machines") as reply:
        assert "content-length" not in reply.headers
        for chunk in reply.iter_bytes():
            size += len(chunk)
    assert size == HUGE_BYTES


def test_drop_closes_mid_body(emulator, api):
    emulator.add_fault(kind="drop", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/machines")
    assert api.get("/machines").status_code == 200


def test_route_glob_and_method(emulator, api):
    emulator.add_fault(kind="500", route="/api/run/*", method="GET")
    assert api.get("/machines").status_code == 200
    assert api.get("/run/00000000-0000-4000-8000-000000000000").status_code == 500
    deployment_id = next(iter(emulator.state.deployments))
    assert (
        api.post("/run/deployment/queue", json={"deployment_id": deployment_id}).status_code == 200
    )


def test_probability(emulator, api):
    emulator.add_fault(kind="503", probability=0.5)
    codes = [api.get("/machines").status_code for _ in range(40)]
    assert 5 < codes.count(503) < 35
    emulator.clear_faults()
    assert api.get("/machines").status_code == 200


def test_storage_host_faults_need_a_route(emulator, api):
    emulator.add_fault(kind="500")  # route None: only /api paths
    upload = httpx.get(f"{emulator.storage_url}/comfyui-deploy/nothing")
    assert upload.status_code == 404
    emulator.add_fault(kind="drop", route="/comfyui-deploy/*", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{emulator.storage_url}/comfyui-deploy/nothing")


def test_control_routes(emulator, api):
    control = f"{emulator.base_url}/_emulator/faults"
    spec = {
        "kind": "429",
        "route": "/api/machines",
        "method": None,
        "count": 1,
        "probability": None,
        "retry_after": 3,
        "delay": None,
    }
    added = httpx.post(control, json=spec).json()["faults"]
    assert added[0]["kind"] == "429" and added[0]["remaining"] == 1
    assert httpx.get(control).json() == added
    assert api.get("/machines").headers["retry-after"] == "3"
    httpx.post(control, json={"kind": "500"})
    assert httpx.delete(control).json() == {"faults": []}
    assert api.get("/machines").status_code == 200
    assert httpx.post(control, json={"kind": "teapot"}).status_code == 422


def test_v1_dialects_fault_bodies(emulator):
    emulator.configure(dialect="selfhost")
    try:
        emulator.add_fault(kind="401", count=1)
        emulator.add_fault(kind="500", count=1)
        url = f"{emulator.api_url}/run"
        first, second = httpx.get(url), httpx.get(url)
    finally:
        emulator.configure(dialect="v2")
    assert first.headers["content-type"].startswith("text/plain") and first.status_code == 401
    assert second.json() == {"error": "Internal server error"}


def test_faults_given_at_start_and_rearmed_by_reset(emulator_factory):
    emu = emulator_factory(
        faults=[
            "kind=503,route=/api/machines,count=1",
            {"kind": "429", "route": "/api/workflows", "count": 1},
        ]
    )
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    assert httpx.get(f"{emu.api_url}/machines", headers=headers).status_code == 503
    assert httpx.get(f"{emu.api_url}/machines", headers=headers).status_code == 200
    emu.reset()
    assert httpx.get(f"{emu.api_url}/machines", headers=headers).status_code == 503


def test_cli_spec_parsing():
    spec = FaultSpec.parse("kind=429,route=/api/run/*,count=2,retry_after=1")
    assert spec == FaultSpec(kind="429", route="/api/run/*", count=2, retry_after=1.0)
    assert FaultSpec.parse("kind=delay,delay=0.5,method=get").method == "GET"
    for bad in ("kind=nope", "kind=500,colour=red", "kind"):
        with pytest.raises(ValueError):
            FaultSpec.parse(bad)
