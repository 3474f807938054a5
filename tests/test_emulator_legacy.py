"""The hosted v1 (`legacy`) and open-source self-host (`selfhost`) dialects (reference §1, §7)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest

SAMPLE = Path("/work/shared/api/samples/selfhost-get-run-success.json")


@pytest.fixture(scope="module")
def servers():
    """One server per v1 dialect for the module; each test resets it."""
    from comfytui.emulator.server import EmulatorServer

    started = {
        name: EmulatorServer(dialect=name, speed=0.0).start() for name in ("legacy", "selfhost")
    }
    yield started
    for emu in started.values():
        emu.stop()


@pytest.fixture(params=["legacy", "selfhost"])
def v1(request, servers):
    emu = servers[request.param]
    emu.reset()
    with httpx.Client(
        base_url=emu.api_url, timeout=10, headers={"Authorization": f"Bearer {emu.api_key}"}
    ) as client:
        yield emu, client


def _txt2img_id(emu) -> str:
    return next(
        d["id"]
        for d in emu.state.deployments.values()
        if emu.state.workflow_name(d["workflow_id"]) == "txt2img"
        and d["environment"] == "production"
    )


def test_missing_or_bad_key_is_plain_text_401(v1):
    emu, _ = v1
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        reply = httpx.get(
            f"{emu.api_url}/run", params={"run_id": str(uuid.uuid4())}, headers=headers
        )
        assert reply.status_code == 401
        assert reply.headers["content-type"].startswith("text/plain")
        assert reply.text == "Invalid or expired token"
    scheme_ignored = httpx.get(
        f"{emu.api_url}/run",
        params={"run_id": str(uuid.uuid4())},
        headers={"Authorization": f"Token {emu.api_key}"},
    )
    assert scheme_ignored.status_code == 400


def test_run_lifecycle_and_errors(v1):
    emu, api = v1
    run_id = api.post(
        "/run", json={"deployment_id": _txt2img_id(emu), "inputs": {"prompt": "fox", "width": 224}}
    ).json()["run_id"]
    run = api.get("/run", params={"run_id": run_id}).json()
    assert run["status"] == "success"
    image = run["outputs"][-1]["data"]["images"][0]
    assert image["url"].startswith(emu.storage_url)
    assert httpx.get(image["url"]).headers["content-type"] == "image/png"
    missing = api.get("/run", params={"run_id": str(uuid.uuid4())})
    assert (missing.status_code, missing.json()) == (
        400,
        {"code": 400, "message": "Workflow not found"},
    )
    unknown = api.post("/run", json={"deployment_id": str(uuid.uuid4())})
    assert (unknown.status_code, unknown.json()) == (500, {"error": "Deployment not found"})
    bad = api.post("/run", json={"deployment_id": "nope"})
    assert bad.status_code == 500
    assert bad.json() == {"error": 'invalid input syntax for type uuid: "nope"'}
    assert api.post("/run", json={}).json()["error"]["name"] == "ZodError"


def test_selfhost_run_matches_recorded_sample(servers):
    emu = servers["selfhost"]
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    run_id = httpx.post(
        f"{emu.api_url}/run", headers=headers, json={"deployment_id": _txt2img_id(emu)}
    ).json()["run_id"]
    run = httpx.get(f"{emu.api_url}/run", params={"run_id": run_id}, headers=headers).json()
    sample = json.loads(SAMPLE.read_text())
    assert list(run) == list(sample)
    assert set(run["outputs"][0]["data"][0]) == set(sample["outputs"][0]["data"][0])
    assert set(run["outputs"][1]["data"]["images"][0]) == set(
        sample["outputs"][1]["data"]["images"][0]
    )
    assert isinstance(run["outputs"][0]["data"], list)


def test_hosted_run_has_every_v1_key(servers):
    emu = servers["legacy"]
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    run_id = httpx.post(
        f"{emu.api_url}/run", headers=headers, json={"deployment_id": _txt2img_id(emu)}
    ).json()["run_id"]
    run = httpx.get(f"{emu.api_url}/run", params={"run_id": run_id}, headers=headers).json()
    assert {
        "id",
        "updated_at",
        "queued_at",
        "live_status",
        "progress",
        "is_realtime",
        "webhook_intermediate_status",
        "batch_id",
        "favorite",
        "gpu_event_id",
        "machine_type",
        "webhook_status",
    } <= set(run)


def test_broken_deployment_fails_with_error_output(v1):
    emu, api = v1
    broken = next(
        d["id"]
        for d in emu.state.deployments.values()
        if emu.state.workflow_name(d["workflow_id"]) == "broken"
    )
    run_id = api.post("/run", json={"deployment_id": broken}).json()["run_id"]
    run = api.get("/run", params={"run_id": run_id}).json()
    assert run["status"] == "failed"
    assert run["outputs"][0]["data"]["error"]["error_type"] == "MachineError"


def test_presigned_upload_via_storage_host(v1):
    emu, api = v1
    body = api.get("/upload-url", params={"type": "image/png", "file_size": "4"}).json()
    assert set(body) == {"upload_url", "file_id", "download_url"}
    assert body["file_id"].startswith("img_") and len(body["file_id"]) == 20
    assert "x-amz-acl=public-read" in body["upload_url"]
    assert body["upload_url"].startswith(emu.storage_url)
    wrong_type = httpx.put(
        body["upload_url"], content=b"data", headers={"Content-Type": "image/jpeg"}
    )
    assert wrong_type.status_code == 403
    unsigned = httpx.put(
        body["download_url"], content=b"data", headers={"Content-Type": "image/png"}
    )
    assert unsigned.status_code == 403
    put = httpx.put(body["upload_url"], content=b"data", headers={"Content-Type": "image/png"})
    assert put.status_code == 200
    assert httpx.get(body["download_url"]).content == b"data"
    storage_hits = [r for r in emu.requests() if r["port"] == int(emu.storage_url.split(":")[-1])]
    assert storage_hits and all("authorization" not in r["headers"] for r in storage_hits)


def test_upload_url_validation(v1):
    emu, api = v1
    gif = api.get("/upload-url", params={"type": "image/gif", "file_size": "4"})
    assert gif.status_code == 400
    assert gif.json()["success"] is False and gif.json()["error"]["name"] == "ZodError"
    big = api.get("/upload-url", params={"type": "image/png", "file_size": str(60 * 2**20)})
    assert (big.status_code, big.json()) == (500, {"error": "File size exceeds 50MB limit"})
    webp = api.get("/upload-url", params={"type": "image/webp", "file_size": "4"})
    assert webp.status_code == (200 if emu.state.dialect == "legacy" else 400)


def test_push_workflow_and_read_version(v1):
    emu, api = v1
    body = {
        "workflow_name": "pushed",
        "workflow": {"nodes": []},
        "workflow_api": {
            "1": {
                "class_type": "ComfyUIDeployExternalText",
                "inputs": {"input_id": "t", "default_value": "a"},
            }
        },
        "snapshot": {"comfyui": "abc", "git_custom_nodes": {}, "file_custom_nodes": []},
    }
    first = api.post("/workflow", json=body).json()
    assert first["version"] == 1
    second = api.post("/workflow", json={**body, "workflow_id": first["workflow_id"]}).json()
    assert second == {"workflow_id": first["workflow_id"], "version": 2}
    no_snapshot = api.post("/workflow", json={k: v for k, v in body.items() if k != "snapshot"})
    assert no_snapshot.status_code == (200 if emu.state.dialect == "legacy" else 400)
    neither = api.post("/workflow", json={"workflow_api": {}, "snapshot": {}})
    assert neither.json() == {"error": "Invalid request, missing either workflow_id or name"}
    version_id = next(
        v["id"] for v in emu.state.versions.values() if v["workflow_id"] == first["workflow_id"]
    )
    reply = api.get(f"/workflow-version/{version_id}")
    assert reply.headers["content-type"] == "text/plain;charset=UTF-8"
    assert reply.json()["workflow_api"] == body["workflow_api"]
    missing = api.get(f"/workflow-version/{uuid.uuid4()}")
    assert (missing.status_code, missing.json()) == (500, {"error": "No version found"})


def test_auth_response_needs_no_key(v1):
    emu, _ = v1
    first = httpx.get(f"{emu.api_url}/auth-response/req_1")
    assert first.status_code == 200 and first.json()["api_key"] == emu.api_key
    assert httpx.get(f"{emu.api_url}/auth-response/req_1").json() == {"message": "Already used."}
    assert httpx.get(f"{emu.api_url}/auth-response/pending_2").status_code == 201


def test_listing_routes(v1):
    emu, api = v1
    hosted = emu.state.dialect == "legacy"
    listing = api.get("/deployment", params={"environment": "production"})
    machines = api.get("/machine")
    assert api.get("/v1/machines").status_code == 404
    assert machines.status_code == 404
    if not hosted:
        assert listing.status_code == 404
        return
    rows = listing.json()
    assert {"deployment_id", "name", "inputs_definition"} == set(rows[0])
    txt2img = next(r for r in rows if r["name"] == "txt2img")
    inputs = api.get(f"/deployment/{txt2img['deployment_id']}/inputs").json()
    assert inputs == txt2img["inputs_definition"]
    sampler = next(i for i in inputs if i["input_id"] == "sampler")
    assert sampler["enum_values"][0] == "euler"
    socket = api.get(f"/websocket/{txt2img['deployment_id']}").json()
    assert socket["ws_connection_url"].startswith("wss://")
