"""Deterministic seed data: workflows, versions, deployments, machines and past runs.

Same seed, same ids and names. Deployment names are the workflow names (as on v2) and are
stable: `txt2img`, `webp-out`, `broken`, `media-inputs`, plus markup-like, unicode and long ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from comfytui.emulator import graphs
from comfytui.emulator.common import iso, seeded_uuid
from comfytui.emulator.discovery import node_classes
from comfytui.emulator.lifecycle import RunRecord, RunView

BASE_TIME = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
USER_ID = "user_emulator"
LONG_NAME = "an-extremely-long-deployment-name-" + "that-keeps-going-" * 6 + "end"
MARKUP_NAMES = ("[bold red]x[/]", "[@click=app.quit]boom[/]")
UNICODE_NAME = "画像生成 · ünïcødé ✨"
RUN_STATUSES = (
    "not-started",
    "queued",
    "started",
    "running",
    "uploading",
    "success",
    "failed",
    "timeout",
    "cancelled",
)

# name, status, type, gpu
MACHINES = (
    ("gpu-a10g-prod", "ready", "comfy-deploy-serverless", "A10G"),
    ("staging-l4", "running", "modal-serverless", "L4"),
    ("broken-box", "error", "classic", None),
    ("builder-h100", "building", "comfy-deploy-serverless", "H100"),
    ("paused-t4", "paused", "runpod-serverless", "T4"),
    ("[bold]workspace[/]", "not-started", "workspace-v2", "A100"),
)

# workflow name, inputs, output format, versions, deployments [(environment, machine index)]
WORKFLOWS: tuple[tuple[str, list[dict[str, Any]], str, int, list[tuple[str, int]]], ...] = (
    ("txt2img", graphs.TXT2IMG_INPUTS, "png", 3, [("production", 0), ("staging", 1)]),
    ("webp-out", graphs.SIMPLE_INPUTS, "webp", 2, [("production", 0)]),
    ("broken", graphs.SIMPLE_INPUTS, "png", 2, [("production", 2)]),
    ("media-inputs", graphs.MEDIA_INPUTS, "png", 2, [("staging", 1)]),
    (MARKUP_NAMES[0], graphs.SIMPLE_INPUTS, "png", 2, [("staging", 0)]),
    (MARKUP_NAMES[1], graphs.SIMPLE_INPUTS, "png", 2, [("public-share", 0)]),
    (UNICODE_NAME, graphs.SIMPLE_INPUTS, "png", 2, [("private-share", 1)]),
    (LONG_NAME, graphs.SIMPLE_INPUTS, "png", 2, [("production", 1)]),
    ("draft-no-deployment", graphs.SIMPLE_INPUTS, "png", 1, []),
)
# Deployments whose outputs are not images (built after the past runs, so the ids above stay).
MEDIA_WORKFLOWS: tuple[tuple[str, list[dict[str, Any]], str, int, list[tuple[str, int]]], ...] = (
    ("gif-out", graphs.SIMPLE_INPUTS, "gif", 1, [("production", 0)]),
    ("mp4-out", graphs.SIMPLE_INPUTS, "mp4", 1, [("production", 0)]),
    ("wav-out", graphs.SIMPLE_INPUTS, "wav", 1, [("production", 0)]),
    ("text-out", graphs.SIMPLE_INPUTS, "txt", 1, [("production", 0)]),
)


@dataclass
class SeedData:
    workflows: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, dict[str, Any]] = field(default_factory=dict)
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    machines: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: dict[str, RunRecord] = field(default_factory=dict)


def _machine(
    rng: random.Random, index: int, spec: tuple[str, str, str, str | None], base: datetime
) -> dict:
    name, status, kind, gpu = spec
    stamp = iso(base - timedelta(days=30 - index))
    return {
        "id": seeded_uuid(rng),
        "user_id": USER_ID,
        "org_id": None,
        "name": name,
        "endpoint": f"https://machine-{index}.example.invalid",
        "created_at": stamp,
        "updated_at": stamp,
        "disabled": False,
        "auth_token": None,
        "type": kind,
        "status": status,
        "static_assets_status": "ready",
        "machine_version": f"v{index + 1}",
        "machine_builder_version": "4",
        "snapshot": None,
        "models": None,
        "gpu": gpu,
        "ws_gpu": None,
        "pod_id": None,
        "base_docker_image": None,
        "allow_concurrent_inputs": 1,
        "concurrency_limit": 2,
        "legacy_mode": False,
        "ws_timeout": 2,
        "run_timeout": 300,
        "idle_timeout": 60,
        "build_machine_instance_id": None,
        "build_log": None,
        "modal_app_id": None,
        "target_workflow_id": None,
        "dependencies": None,
        "extra_docker_commands": None,
        "install_custom_node_with_gpu": False,
        "deleted": False,
        "keep_warm": 0,
        "allow_background_volume_commits": False,
        "gpu_workspace": False,
        "docker_command_steps": None,
        "machine_version_id": None,
        "machine_hash": None,
        "comfyui_version": "v0.3.40",
        "python_version": "3.11",
        "optimized_runner": False,
        "is_workspace": kind == "workspace-v2",
    }


def _version(rng: random.Random, workflow_id: str, number: int, api: dict, when: datetime) -> dict:
    return {
        "id": seeded_uuid(rng),
        "workflow_id": workflow_id,
        "workflow": graphs.ui_workflow(api),
        "workflow_api": api,
        "user_id": USER_ID,
        "comment": f"version {number}",
        "version": number,
        "snapshot": {"comfyui": "a1b2c3d", "git_custom_nodes": {}, "file_custom_nodes": []},
        "dependencies": None,
        "created_at": iso(when),
        "updated_at": iso(when),
    }


def build(
    seed: int,
    *,
    base: datetime = BASE_TIME,
    machines: tuple[tuple[str, str, str, str | None], ...] = MACHINES,
    workflows: tuple[tuple[str, list[dict[str, Any]], str, int, list[tuple[str, int]]], ...] = (
        WORKFLOWS
    ),
    runs: bool = True,
    extra: tuple[tuple[str, list[dict[str, Any]], str, int, list[tuple[str, int]]], ...]
    | None = None,
) -> SeedData:
    """All seed entities for `seed`, freshly built (callers may mutate them). The defaults are
    the tests' world; `seed_demo` passes its own names, dated from now."""
    extra = MEDIA_WORKFLOWS if extra is None else extra
    rng = random.Random(seed)
    data = SeedData()
    machine_ids = []
    for index, spec in enumerate(machines):
        machine = _machine(rng, index, spec, base)
        data.machines[machine["id"]] = machine
        machine_ids.append(machine["id"])
    _workflows(rng, data, machine_ids, workflows, 0, base, machines)
    if runs:
        _past_runs(rng, data)
    if extra:
        _workflows(rng, data, machine_ids, extra, len(workflows), base, machines)
    return data


def _workflows(
    rng: random.Random,
    data: SeedData,
    machine_ids: list[str],
    workflows: tuple[tuple[str, list[dict[str, Any]], str, int, list[tuple[str, int]]], ...],
    first: int,
    base: datetime,
    machines: tuple[tuple[str, str, str, str | None], ...],
) -> None:
    for w_index, (name, inputs, fmt, versions, deployments) in enumerate(workflows, first):
        created = base - timedelta(days=20 - w_index)
        workflow_id = seeded_uuid(rng)
        data.workflows[workflow_id] = {
            "id": workflow_id,
            "user_id": USER_ID,
            "org_id": None,
            "name": name,
            "selected_machine_id": machine_ids[0],
            "created_at": iso(created),
            "updated_at": iso(created + timedelta(days=versions)),
            "pinned": w_index == 0,
            "deleted": False,
            "description": f"Seed workflow {w_index + 1}",
            "cover_image": None,
        }
        version_list = []
        for number in range(1, versions + 1):
            api = graphs.graph(inputs[: max(1, len(inputs) - versions + number)], fmt)
            version = _version(rng, workflow_id, number, api, created + timedelta(days=number))
            data.versions[version["id"]] = version
            version_list.append(version)
        for d_index, (environment, machine_index) in enumerate(deployments):
            version = version_list[-1 - d_index]
            stamp = iso(created + timedelta(days=versions, hours=d_index))
            deployment_id = seeded_uuid(rng)
            data.deployments[deployment_id] = {
                "id": deployment_id,
                "user_id": USER_ID,
                "org_id": None,
                "workflow_version_id": version["id"],
                "workflow_id": workflow_id,
                "machine_id": machine_ids[machine_index],
                "share_slug": None,
                "description": None,
                "share_options": None,
                "showcase_media": None,
                "environment": environment,
                "created_at": stamp,
                "updated_at": stamp,
                "gpu": machines[machine_index][3],
                "output_format": fmt,
            }


def _past_runs(rng: random.Random, data: SeedData) -> None:
    """Three frozen runs per status (27 in all) spread over the deployments."""
    deployments = list(data.deployments.values())
    for index in range(len(RUN_STATUSES) * 3):
        status = RUN_STATUSES[index % len(RUN_STATUSES)]
        deployment = deployments[index % len(deployments)]
        created = BASE_TIME - timedelta(hours=3 * (len(RUN_STATUSES) * 3 - index))
        record = run_record(
            seeded_uuid(rng),
            data,
            deployment,
            created,
            {"prompt": f"seeded run {index}", "seed": index},
            error="Machine error: seeded failure" if status == "failed" else None,
            number=index + 1,
            speed=0.05,
        )
        record.frozen = _frozen_view(record, status)
        data.runs[record.id] = record


def run_record(
    run_id: str,
    data: SeedData,
    deployment: dict[str, Any],
    created: datetime,
    inputs: dict[str, Any],
    **fields: Any,
) -> RunRecord:
    """A seeded run of `deployment` (its version, machine, GPU, node classes and output
    format); `fields` set the rest of the `RunRecord` (the tests' world and the demo's)."""
    version = data.versions[deployment["workflow_version_id"]]
    machine = data.machines[deployment["machine_id"]]
    return RunRecord(
        id=run_id,
        deployment_id=deployment["id"],
        workflow_id=deployment["workflow_id"],
        workflow_version_id=version["id"],
        machine_id=machine["id"],
        created=created,
        inputs=inputs,
        nodes=tuple(node_classes(version["workflow_api"])) or ("KSampler",),
        output_format=deployment["output_format"],
        gpu=machine["gpu"],
        machine_type=machine["type"],
        **fields,
    )


def _frozen_view(record: RunRecord, status: str) -> RunView:
    offsets = {
        "not-started": 0.0,
        "queued": 0.3,
        "started": 0.6,
        "running": 1.5,
        "uploading": 3.0,
        "success": 3.4,
        "failed": 0.9,
    }
    if status in offsets:
        return record.view_at(offsets[status])
    base = record.view_at(1.5)
    ended = record.created + timedelta(minutes=5 if status == "cancelled" else 24 * 60)
    return RunView(
        status, base.progress, base.live_status, base.queued_at, base.started_at, ended, ended
    )
