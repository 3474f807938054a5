"""The v2 dialect over loopback: every route, auth, errors, paging, uploads and SSE."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest


def _deployment(api, name="txt2img", environment="production"):
    return next(
        d
        for d in api.get("/deployments").json()
        if d["workflow"]["name"] == name and d["environment"] == environment
    )


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Token x"}, {"x-api-key": "nope"}],
)
def test_bad_or_missing_key_is_401_detail(emulator, headers):
    reply = httpx.get(f"{emulator.api_url}/deployments", headers=headers)
    assert reply.status_code == 401
    assert reply.json()["detail"] in ("Invalid or missing token", "Invalid or expired token")


def test_x_api_key_header_is_accepted(emulator):
    reply = httpx.get(f"{emulator.api_url}/machines", headers={"x-api-key": emulator.api_key})
    assert reply.status_code == 200


def test_workflows_search_limit_offset(api):
    everything = api.get("/workflows").json()
    assert len(everything) >= 5
    assert {
        "id",
        "name",
        "user_id",
        "org_id",
        "selected_machine_id",
        "created_at",
        "updated_at",
        "pinned",
        "deleted",
        "description",
        "cover_image",
    } <= set(everything[0])
    assert [w["name"] for w in api.get("/workflows", params={"search": "TXT2"}).json()] == [
        "txt2img"
    ]
    assert api.get("/workflows", params={"limit": 2, "offset": 1}).json() == everything[1:3]


def test_workflow_versions_and_version(api):
    workflow = api.get("/workflows", params={"search": "txt2img"}).json()[0]
    assert api.get(f"/workflow/{workflow['id']}").json() == workflow
    versions = api.get(f"/workflow/{workflow['id']}/versions").json()
    assert [v["version"] for v in versions] == [3, 2, 1]
    version = api.get(f"/workflow-version/{versions[0]['id']}").json()
    assert {
        "id",
        "workflow_id",
        "workflow",
        "workflow_api",
        "user_id",
        "comment",
        "version",
        "snapshot",
        "dependencies",
        "created_at",
        "updated_at",
    } <= set(version)
    classes = {n["class_type"] for n in version["workflow_api"].values()}
    assert "ComfyUIDeployExternalText" in classes
    assert api.get(f"/workflow/{uuid.uuid4()}").json() == {"detail": "Workflow not found"}
    assert api.get(f"/workflow-version/{uuid.uuid4()}").status_code == 404


def test_deployments_and_input_types(api):
    deployments = api.get("/deployments").json()
    assert len(deployments) >= 6
    assert {d["environment"] for d in deployments} >= {"production", "staging"}
    txt2img = _deployment(api)
    by_id = {i["input_id"]: i for i in txt2img["input_types"]}
    assert by_id["prompt"]["type"] == "string"
    assert by_id["steps"]["min_value"] == 1 and by_id["steps"]["max_value"] == 50
    assert by_id["sampler"]["enum_options"][0] == "euler"
    assert by_id["width"]["type"] == "integer"
    assert "seed" not in by_id  # ExternalSeed is not in the v2 discovery map (§3.3)
    assert txt2img["output_types"] == [
        {"class_type": "ComfyDeployStdOutputImage", "output_id": "output_images"}
    ]
    assert api.get(f"/deployment/{txt2img['id']}").json() == txt2img
    staging = api.get("/deployments", params={"environment": "staging"}).json()
    assert staging and all(d["environment"] == "staging" for d in staging)
    assert api.get(f"/deployment/{uuid.uuid4()}").json() == {"detail": "Deployment not found"}


def test_deployment_runs_newest_first(api):
    deployment = _deployment(api)
    new_id = api.post("/run/deployment/queue", json={"deployment_id": deployment["id"]}).json()[
        "run_id"
    ]
    runs = api.get(f"/deployment/{deployment['id']}/runs").json()
    assert runs[0]["id"] == new_id
    stamps = [r["created_at"] for r in runs]
    assert stamps == sorted(stamps, reverse=True)


def test_machines(api):
    machines = api.get("/machines").json()
    assert len(machines) >= 4
    assert {m["status"] for m in machines} >= {"ready", "error", "building"}
    assert len({m["type"] for m in machines}) >= 3
    assert api.get(f"/machine/{machines[0]['id']}").json() == machines[0]
    assert api.get("/machines", params={"search": "broken"}).json()[0]["status"] == "error"
    assert api.get(f"/machine/{uuid.uuid4()}").status_code == 404


def test_queue_errors(api):
    missing = api.post("/run/deployment/queue", json={"deployment_id": str(uuid.uuid4())})
    assert missing.status_code == 404 and missing.json() == {"detail": "Deployment not found"}
    invalid = api.post("/run/deployment/queue", json={"deployment_id": "nope"})
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "deployment_id"]


def test_run_shape_has_every_required_key(api):
    deployment = _deployment(api)
    run_id = api.post(
        "/run/deployment/queue", json={"deployment_id": deployment["id"], "inputs": {"prompt": "x"}}
    ).json()["run_id"]
    run = api.get(f"/run/{run_id}").json()
    required = {
        "id",
        "workflow_version_id",
        "workflow_inputs",
        "workflow_id",
        "workflow_api",
        "machine_id",
        "origin",
        "status",
        "created_at",
        "updated_at",
        "gpu_event_id",
        "gpu",
        "machine_version",
        "machine_type",
        "modal_function_call_id",
        "user_id",
        "org_id",
        "live_status",
        "webhook",
        "webhook_status",
        "number",
        "duration",
        "cold_start_duration",
        "cold_start_duration_total",
        "run_duration",
    }
    assert required <= set(run)
    assert run["workflow_api"] is None and run["workflow_inputs"] == {"prompt": "x"}
    assert run["created_at"].endswith("Z") and len(run["created_at"]) == 24


def test_get_run_errors(api):
    assert api.get("/run/not-a-uuid").status_code == 422
    assert api.get(f"/run/{uuid.uuid4()}").json() == {"detail": "Run not found"}
    assert api.get("/run", params={"run_id": "nope"}).status_code == 422


def test_hidden_legacy_aliases(api):
    deployment = _deployment(api)
    run_id = api.post("/run", json={"deployment_id": deployment["id"], "inputs": {}}).json()[
        "run_id"
    ]
    assert api.get("/run", params={"run_id": run_id}).json()["id"] == run_id
    assert api.post("/run/queue", json={"deployment_id": deployment["id"]}).status_code == 200


def test_sync_returns_outputs(api):
    outputs = api.post(
        "/run/deployment/sync", json={"deployment_id": _deployment(api)["id"]}
    ).json()
    assert outputs[0]["data"]["images"][0]["type"] == "output"


def test_file_upload_lands_on_storage_host(emulator, api):
    reply = api.post("/file/upload", files={"file": ("my cat.png", b"pngbytes", "image/png")})
    body = reply.json()
    assert set(body) == {"message", "file_id", "file_name", "file_url"}
    assert body["file_name"] == "my cat.png" and body["file_id"].startswith("img_")
    assert body["file_url"].startswith(emulator.storage_url + "/")
    assert httpx.get(body["file_url"]).content == b"pngbytes"
    bad = api.post("/file/upload", files={"file": ("notes.txt", b"hi", "text/plain")})
    assert bad.status_code == 400 and bad.json() == {"detail": "Unsupported file type"}


def test_stream_is_server_sent_events(api):
    events = []
    with api.stream(
        "POST", "/run/deployment/stream", json={"deployment_id": _deployment(api)["id"]}
    ) as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        assert reply.headers["cache-control"] == "no-cache"
        assert reply.headers["x-accel-buffering"] == "no"
        name = None
        for line in reply.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    updates = [data for name, data in events if name == "event_update"]
    assert updates[0]["event"] == "queuing"
    run_id = updates[0]["data"]["run_id"]
    assert [u["data"]["status"] for u in updates if u["event"] == "status"] == [
        "not-started",
        "queued",
        "started",
        "running",
        "uploading",
        "success",
    ]
    assert any(u["event"] == "live_status" for u in updates)
    assert any(name == "log_update" for name, _ in events)
    assert api.get(f"/run/{run_id}").json()["status"] == "success"


def test_push_workflow_on_v2(api):
    body = {
        "workflow_name": "pushed",
        "workflow": {"nodes": []},
        "workflow_api": {
            "1": {"class_type": "ComfyUIDeployExternalText", "inputs": {"input_id": "t"}}
        },
    }
    first = api.post("/workflow", json=body).json()
    assert first["version"] == 1
    again = api.post("/workflow", json={**body, "workflow_id": first["workflow_id"]}).json()
    assert again == {"workflow_id": first["workflow_id"], "version": 2}
    versions = api.get(f"/workflow/{first['workflow_id']}/versions").json()
    assert [v["version"] for v in versions] == [2, 1]
    invalid = api.post("/workflow", json={"workflow_name": "x"})
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"] == [
        "body",
        "workflow_api",
    ]
    assert api.post("/workflow", json={"workflow_api": {}}).status_code == 500
