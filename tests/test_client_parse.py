"""Parsers of both dialects against the reference examples and the recorded self-host sample."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from comfytui.api import parse_legacy, parse_v2
from comfytui.api.inputs import input_kind, input_spec, is_input_class
from comfytui.errors import ProtocolError
from comfytui.models import InputKind, RunStatus

SAMPLES = Path("/work/shared/api/samples")
if not SAMPLES.is_dir():  # the checkout's sibling folder when run elsewhere
    SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api" / "samples"

V2_RUN = {
    "id": "b18d8d81-fd7b-4764-a31e-475cb1f36591",
    "workflow_version_id": "9a0e",
    "workflow_inputs": {"input_text": "a lighthouse at dusk"},
    "workflow_id": "4c1d",
    "workflow_api": None,
    "machine_id": "77aa",
    "origin": "api",
    "status": "running",
    "created_at": "2025-03-01T12:00:00.123Z",
    "updated_at": "2025-03-01T12:00:20.456Z",
    "queued_at": "2025-03-01T12:00:01.000Z",
    "started_at": "2025-03-01T12:00:09.000Z",
    "ended_at": None,
    "gpu_event_id": "ge_1",
    "gpu": "A10G",
    "machine_type": "comfy-deploy-serverless",
    "live_status": "Executing KSampler",
    "progress": 0.45,
    "number": 12,
    "queue_position": None,
    "outputs": [],
}

V2_OUTPUT = {
    "id": "e5f6",
    "run_id": "b18d",
    "output_id": "output_images",
    "node_meta": {"node_id": "9", "node_class": "ComfyDeployOutputImage"},
    "data": {
        "images": [
            {
                "url": "https://bucket.s3.amazonaws.com/outputs/runs/b18d/img.webp",
                "type": "output",
                "filename": "img.webp",
                "subfolder": "",
                "upload_duration": 0.8,
                "is_public": True,
            }
        ],
        "text": ["a caption"],
        "flags": [True],
    },
}


def test_v2_run_example():
    run = parse_v2.parse_run(V2_RUN)
    assert run.status is RunStatus.RUNNING and run.raw_status == "running"
    assert run.progress == 0.45 and run.live_status == "Executing KSampler"
    assert run.created_at == datetime(2025, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)
    assert run.created_at.tzinfo is UTC
    assert run.inputs == {"input_text": "a lighthouse at dusk"} and run.gpu == "A10G"
    assert run.ended_at is None and run.outputs == () and not run.is_terminal


def test_v2_run_outputs_texts_and_unknown_status():
    run = parse_v2.parse_run({**V2_RUN, "status": "Exploding", "outputs": [V2_OUTPUT]})
    assert run.status is RunStatus.UNKNOWN and run.raw_status == "Exploding"
    (image,) = run.outputs
    assert image.filename == "img.webp" and image.kind == "images"
    assert image.output_id == "output_images" and image.type == "output"
    assert run.texts == ("a caption",)


def test_failed_run_error_text():
    error = {"error_type": "OutOfMemoryError", "stack_trace": "Traceback..."}
    outputs = [{"data": {"error": error}}]
    run = parse_v2.parse_run({**V2_RUN, "status": "failed", "outputs": outputs})
    assert run.status is RunStatus.FAILED and run.error == "OutOfMemoryError"
    node_errors = {
        "7": {
            "errors": [{"message": "Value too big", "details": "steps"}],
            "class_type": "KSampler",
        }
    }
    run = parse_v2.parse_run({"id": "r", "outputs": [{"data": {"error": node_errors}}]})
    assert run.error == "node 7 (KSampler): Value too big steps"
    run = parse_v2.parse_run({"id": "r", "outputs": [{"data": {"error": "boom\n\x1b[31mred"}}]})
    assert run.error == "boom red"


def test_selfhost_recorded_sample():
    data = json.loads((SAMPLES / "selfhost-get-run-success.json").read_text())
    run = parse_legacy.parse_run(data)
    assert run.status is RunStatus.SUCCESS and run.id == data["id"]
    assert run.inputs == {"width": 224} and run.updated_at is None and run.progress is None
    (image,) = run.outputs
    assert image.filename == "cdweb_00002_.png" and image.url.endswith("cdweb_00002_.png")


def test_tolerates_nulls_missing_and_wrong_types():
    run = parse_v2.parse_run(
        {
            "id": 42,
            "status": None,
            "progress": "lots",
            "created_at": "yesterday",
            "workflow_inputs": [1],
            "outputs": [None, {"data": None}, {"data": "x"}],
            "new": {},
        }
    )
    assert run.id == "42" and run.status is RunStatus.UNKNOWN and run.progress is None
    assert run.created_at is None and run.inputs == {} and run.outputs == ()


def test_progress_percent_is_scaled():
    assert parse_v2.parse_run({"id": "r", "progress": 45}).progress == 0.45


@pytest.mark.parametrize("bad", [None, [], "run", 3, {"status": "success"}, {"id": ""}])
def test_run_without_id_is_protocol_error(bad):
    with pytest.raises(ProtocolError):
        parse_v2.parse_run(bad)


def test_v2_deployment_with_inputs():
    data = [
        {
            "id": "15e7",
            "user_id": "u",
            "workflow_version_id": "9a0e",
            "workflow_id": "4c1d",
            "machine_id": "77aa",
            "environment": "production",
            "gpu": "A10G",
            "created_at": "2025-02-01T08:00:00.000Z",
            "updated_at": "2025-02-01T08:00:00.000Z",
            "workflow": {"id": "4c1d", "name": "txt2img"},
            "machine": {"id": "77aa", "name": "gpu-1"},
            "version": {"version": 3},
            "input_types": [
                {
                    "type": "string",
                    "class_type": "ComfyUIDeployExternalText",
                    "input_id": "input_text",
                    "default_value": "a cat",
                    "display_name": "Prompt",
                    "description": "",
                },
                {
                    "type": "string",
                    "class_type": "ComfyUIDeployExternalEnum",
                    "input_id": "style",
                    "enum_options": ["a", "b"],
                },
                {
                    "type": "float",
                    "class_type": "ComfyUIDeployExternalNumberSlider",
                    "input_id": "strength",
                    "min_value": 0,
                    "max_value": "1",
                    "step": 0.1,
                },
                {"type": "integer", "class_type": "SomethingNew", "input_id": "n"},
                {
                    "class_type": "ComfyUIDeployExternalImage",
                    "input_id": "img",
                    "default_value_url": "https://x/y.png",
                },
                {"input_id": ""},
                "junk",
            ],
            "output_types": [],
        }
    ]
    (dep,) = parse_v2.parse_deployments(data)
    assert dep.name == "txt2img" and dep.machine_name == "gpu-1" and dep.version == 3
    kinds = [(s.input_id, s.kind) for s in dep.inputs]
    assert kinds == [
        ("input_text", InputKind.TEXT),
        ("style", InputKind.ENUM),
        ("strength", InputKind.SLIDER),
        ("n", InputKind.INTEGER),
        ("img", InputKind.IMAGE),
    ]
    assert dep.inputs[0].label == "Prompt" and dep.inputs[1].enum_options == ("a", "b")
    assert dep.inputs[2].max_value == 1.0 and dep.inputs[2].step == 0.1
    assert dep.inputs[4].default == "https://x/y.png"


def test_legacy_deployments_and_inputs():
    data = [
        {
            "deployment_id": "0b9c",
            "name": "txt2img",
            "inputs_definition": [
                {
                    "class_type": "ComfyUIDeployExternalEnum",
                    "input_id": "e",
                    "default_value": "a",
                    "enum_values": ["a", "b"],
                },
                {
                    "class_type": "ComfyUIDeployExternalNumberSliderInt",
                    "input_id": "steps",
                    "default_value": 20,
                    "min_value": 1,
                    "max_value": 50,
                },
            ],
        }
    ]
    (dep,) = parse_legacy.parse_deployments(data, "staging")
    assert dep.id == "0b9c" and dep.environment == "staging"
    assert [s.kind for s in dep.inputs] == [InputKind.ENUM, InputKind.SLIDER_INT]
    assert dep.inputs[0].enum_options == ("a", "b") and dep.inputs[1].max_value == 50
    specs = parse_legacy.parse_input_list(data[0]["inputs_definition"])
    assert specs == dep.inputs


def test_enum_options_from_node_json_string():
    spec = input_spec(
        {"class_type": "ComfyUIDeployExternalEnum", "input_id": "e", "options": '["x", "y"]'}
    )
    assert spec is not None and spec.enum_options == ("x", "y")


@pytest.mark.parametrize(
    ("class_type", "kind"),
    [
        ("ComfyUIDeployExternalTextSingleLine", InputKind.TEXT_LINE),
        ("ComfyUIDeployExternalImageBatch", InputKind.IMAGES),
        ("ComfyUIDeployExternalSeed", InputKind.SEED),
        ("ComfyUIDeployExternalBoolean", InputKind.BOOLEAN),
        ("ComfyUIDeployExternalNumberInt", InputKind.INTEGER),
        ("ComfyUIDeployExternalLora", InputKind.FILE),
        ("KSampler", InputKind.OTHER),
    ],
)
def test_input_kinds(class_type, kind):
    assert input_kind(class_type) is kind
    assert is_input_class(class_type) is (kind is not InputKind.OTHER)


def test_catalog_parsers():
    (wf,) = parse_v2.parse_workflows(
        [
            {
                "id": "w",
                "name": "txt2img",
                "pinned": None,
                "selected_machine_id": "m",
                "cover_image": None,
            }
        ]
    )
    assert wf.name == "txt2img" and wf.machine_id == "m" and wf.pinned is False
    version = parse_v2.parse_version(
        {
            "id": "v",
            "workflow_id": "w",
            "version": "3",
            "workflow_api": {"3": {"class_type": "KSampler"}},
        }
    )
    assert version.version == 3 and version.workflow_api == {"3": {"class_type": "KSampler"}}
    (machine,) = parse_v2.parse_machines([{"id": "m", "name": "gpu", "status": "READY"}])
    assert machine.status == "ready"
    assert parse_v2.parse_pushed({"workflow_id": "w", "version": 2}).version == 2
    assert parse_v2.parse_queued({"run_id": "r"}) == "r"
    with pytest.raises(ProtocolError):
        parse_v2.parse_queued({"run_id": ""})  # self-host may answer "" when it had no id
    presigned = parse_legacy.parse_presigned(
        {"upload_url": "http://s/u?sig", "file_id": "img_1", "download_url": "http://s/u"}
    )
    assert presigned.download_url == "http://s/u"
