"""Conformance with a client we did not write: the comfydeploy 0.6.3 SDK against the emulator."""

from __future__ import annotations

import time

import pytest

comfydeploy = pytest.importorskip("comfydeploy")
from comfydeploy.models import components  # noqa: E402


@pytest.fixture
def sdk(emulator):
    return comfydeploy.ComfyDeploy(bearer=emulator.api_key, server_url=emulator.api_url)


def _deployment_id(sdk, name: str = "txt2img") -> str:
    reply = sdk.deployments.list(environment="production")
    deployments = reply.response_get_deployments_deployments_get
    return next(d.id for d in deployments if d.workflow.name == name)


def test_deployments_list_parses_every_deployment(sdk):
    deployments = sdk.deployments.list().response_get_deployments_deployments_get
    assert len(deployments) >= 6
    classes = {i.class_type for d in deployments for i in d.input_types}
    assert "ComfyUIDeployExternalEnum" in classes
    enum = next(i for d in deployments for i in d.input_types if i.input_id == "sampler")
    assert enum.enum_options == ["euler", "euler_ancestral", "dpmpp_2m", "ddim"]


def test_deployment_get_parses_with_sdk_model(emulator, sdk):
    import httpx

    deployment_id = _deployment_id(sdk)
    raw = httpx.get(
        f"{emulator.api_url}/deployment/{deployment_id}",
        headers={"Authorization": f"Bearer {emulator.api_key}"},
    ).json()
    model = components.DeploymentModel.model_validate(raw)
    assert model.workflow.name == "txt2img"
    assert model.environment == components.DeploymentEnvironment.PRODUCTION


def test_queue_and_get_until_success(sdk):
    queued = sdk.run.deployment.queue(
        request={"deployment_id": _deployment_id(sdk), "inputs": {"prompt": "a fox", "seed": 3}}
    )
    run_id = queued.create_run_response.run_id
    deadline = time.monotonic() + 10
    while True:
        run = sdk.run.get(run_id=run_id).workflow_run_model
        if run.status in ("success", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert run.status == "success"
    image = run.outputs[0].data["images"][0]
    assert isinstance(image, components.MediaItem)
    assert image.filename.endswith(".png")


def test_failed_run_parses(sdk):
    queued = sdk.run.deployment.queue(request={"deployment_id": _deployment_id(sdk, "broken")})
    run = sdk.run.get(run_id=queued.create_run_response.run_id).workflow_run_model
    assert run.status == "failed"
    assert run.outputs[0].data["error"][0].startswith("MachineError")


def test_cancel(emulator_factory):
    emu = emulator_factory(speed=0.2)
    sdk = comfydeploy.ComfyDeploy(bearer=emu.api_key, server_url=emu.api_url)
    queued = sdk.run.deployment.queue(request={"deployment_id": _deployment_id(sdk)})
    run_id = queued.create_run_response.run_id
    reply = sdk.run.cancel_run_run_run_id_cancel_post(
        run_id=run_id, cancel_function_body={"function_id": "fc-1"}
    )
    assert reply.any == {"status": "success", "message": "Function cancelled"}
    run = sdk.run.get(run_id=run_id).workflow_run_model
    assert run.status == "cancelled"
    assert run.ended_at is not None


def test_file_upload(emulator, sdk):
    reply = sdk.file.upload(
        request={
            "file": {"file_name": "cat.png", "content": b"\x89PNG..", "content_type": "image/png"}
        }
    )
    upload = reply.file_upload_response
    assert upload.file_id.startswith("img_")
    assert upload.file_url.startswith(emulator.storage_url)


def test_stream_events_parse(sdk):
    reply = sdk.run.deployment.stream(request={"deployment_id": _deployment_id(sdk, "webp-out")})
    events = list(reply.run_stream)
    names = [e.data.event for e in events if isinstance(e, components.EventUpdateEvent)]
    assert names[0] == "queuing"
    last_status = [
        e.data.data
        for e in events
        if isinstance(e, components.EventUpdateEvent) and e.data.event == "status"
    ]
    assert last_status[-1]["status"] == "success"
    assert any(isinstance(e, components.LogUpdateEvent) for e in events)
