"""The demo world: what a newcomer sees without an API key, dated relative to now.

Realistic workflow, deployment and machine names; runs of the last three days with believable
durations; a few runs still active, which progress live (slowly) and can be cancelled; the
server's 24 h run timeout applies to every run. One unicode name stays, far down the list. The
tests keep `seed.build` (hostile names, fixed dates); this world is only for demo mode.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from comfytui.emulator import graphs
from comfytui.emulator.common import now, seeded_uuid
from comfytui.emulator.lifecycle import RunRecord, RunView
from comfytui.emulator.seed import SeedData, build, run_record

DAY = 24 * 3600.0
RUN_TIMEOUT_S = DAY  # the hosted service times a run out after 24 h

# name, status, type, gpu
MACHINES = (
    ("sdxl-a10g", "ready", "comfy-deploy-serverless", "A10G"),
    ("flux-l40s", "ready", "comfy-deploy-serverless", "L40S"),
    ("staging-l4", "running", "modal-serverless", "L4"),
    ("video-h100", "building", "comfy-deploy-serverless", "H100"),
    ("old-runpod-t4", "error", "runpod-serverless", "T4"),
)

# workflow name, inputs, output format, versions, deployments [(environment, machine index)]
WORKFLOWS: tuple[tuple[str, list[dict[str, Any]], str, int, list[tuple[str, int]]], ...] = (
    ("画像生成 anime", graphs.SIMPLE_INPUTS, "png", 1, [("staging", 2)]),
    ("legacy-t4-upscale", graphs.SIMPLE_INPUTS, "png", 2, [("production", 4)]),
    ("img2img-sketch", graphs.MEDIA_INPUTS, "png", 2, [("staging", 2)]),
    ("product-shot-webp", graphs.SIMPLE_INPUTS, "webp", 2, [("production", 0)]),
    ("sdxl-portrait", graphs.TXT2IMG_INPUTS, "png", 4, [("production", 0), ("staging", 2)]),
    ("flux-schnell", graphs.TXT2IMG_INPUTS, "png", 3, [("production", 1)]),
    ("txt2img", graphs.TXT2IMG_INPUTS, "png", 5, [("production", 0), ("staging", 2)]),
    ("storyboard-draft", graphs.SIMPLE_INPUTS, "png", 1, []),
)

PROMPTS = (
    "a red fox in fresh snow, golden hour",
    "portrait of an old fisherman, 85mm, soft light",
    "isometric cozy coffee shop, pastel colours",
    "studio shot of a ceramic mug on linen",
    "watercolour map of a fantasy harbour town",
    "cyberpunk alley in the rain, neon reflections",
    "a lighthouse on a cliff at dusk",
    "macro photo of a dew drop on a leaf",
)
# (age, duration) of terminal runs are drawn; these are the live ones: seconds since created
LIVE_AGES = (25.0, 140.0, 260.0)
LIVE_SPEED = 0.005  # a live demo run takes 3.4 / 0.005 = ~11 minutes


def build_demo(seed: int = 0, when: datetime | None = None) -> SeedData:
    """The demo world for `seed`, as of `when` (default: now)."""
    when = when or now()
    data = build(seed, base=when, machines=MACHINES, workflows=WORKFLOWS, runs=False, extra=())
    for workflow in data.workflows.values():
        workflow["description"] = f"{workflow['name']} pipeline"
        workflow["pinned"] = workflow["name"] == "txt2img"
    rng = random.Random(seed + 1)
    usable = [d for d in data.deployments.values() if _machine(data, d)["status"] != "error"]
    broken = [d for d in data.deployments.values() if _machine(data, d)["status"] == "error"]
    runs: list[RunRecord] = []
    for _ in range(34):
        age = rng.uniform(600.0, 3 * DAY)
        roll = rng.random()
        deployment = rng.choice(broken if roll < 0.06 and broken else usable)
        status = "success"
        if _machine(data, deployment)["status"] == "error" or 0.06 <= roll < 0.14:
            status = "failed"
        elif roll < 0.18:
            status = "cancelled"
        elif roll < 0.2 and age > DAY:
            status = "timeout"
        runs.append(_past(rng, data, deployment, when - timedelta(seconds=age), status))
    txt2img = [d for d in usable if data.workflows[d["workflow_id"]]["name"] == "txt2img"]
    for index, age in enumerate(LIVE_AGES):
        deployment = txt2img[0] if index != 1 else rng.choice(usable)
        runs.append(_live(rng, data, deployment, when - timedelta(seconds=age)))
    runs.sort(key=lambda r: r.created)
    for number, record in enumerate(runs, start=1):
        record.number = number
        data.runs[record.id] = record
    return data


def _machine(data: SeedData, deployment: dict[str, Any]) -> dict[str, Any]:
    return data.machines[deployment["machine_id"]]


def _record(rng: random.Random, data: SeedData, deployment: dict[str, Any], created: datetime):
    return run_record(
        seeded_uuid(rng),  # first: the id, then the inputs draw from `rng`
        data,
        deployment,
        created,
        {"prompt": rng.choice(PROMPTS), "seed": rng.randrange(2**32)},
        timeout_s=RUN_TIMEOUT_S,
    )


def _past(rng, data, deployment, created: datetime, status: str) -> RunRecord:
    record = _record(rng, data, deployment, created)
    seconds = rng.uniform(18.0, 190.0)  # queue + execution, like a warm serverless GPU
    record.speed = 3.4 / seconds
    if status == "failed":
        record.error = rng.choice(
            (
                "Machine error: CUDA out of memory",
                "Value not in list: ckpt_name 'sdxl_turbo.safetensors'",
                "Machine error: the container failed to start",
            )
        )
        record.frozen = RunView("failed", 0.4, "Machine error", *_times(record, 0.9))
    elif status == "success":
        record.frozen = record.view_at(3.4)
    else:
        base = record.view_at(1.5)
        ended = created + (
            timedelta(seconds=RUN_TIMEOUT_S)
            if status == "timeout"
            else timedelta(seconds=seconds * rng.uniform(0.3, 0.8))
        )
        record.frozen = RunView(
            status, base.progress, None, base.queued_at, base.started_at, ended, ended
        )
    record.frozen = _real_phases(rng, record.created, record.frozen)
    return record


def _real_phases(rng: random.Random, created: datetime, view: RunView) -> RunView:
    """Queue and cold start as a serverless GPU has them: a few seconds in the queue (now and
    then a minute behind other runs), a warm container in about two runs of three (under 3 s to
    ComfyUI ready), else a cold start of 12-50 s; the execution time is kept."""
    if view.queued_at is None or view.started_at is None:
        return view
    queue = rng.uniform(0.3, 4.0) if rng.random() < 0.85 else rng.uniform(20.0, 90.0)
    cold = rng.uniform(0.4, 2.8) if rng.random() < 0.65 else rng.uniform(12.0, 50.0)
    queued = created + timedelta(seconds=queue)
    started = queued + timedelta(seconds=cold)
    shift = started - view.started_at
    ended = view.ended_at if view.status in ("timeout", "cancelled") else None
    if view.ended_at is not None and ended is None:
        ended = view.ended_at + shift
    if ended is not None and ended < started:  # cancelled early: not before it started
        ended = started + timedelta(seconds=rng.uniform(1.0, 10.0))
    updated = ended or (view.updated_at + shift if view.updated_at else None)
    return RunView(view.status, view.progress, view.live_status, queued, started, ended, updated)


def _times(record: RunRecord, end: float) -> tuple[datetime, datetime, datetime, datetime]:
    return record.at(0.3), record.at(0.6), record.at(end), record.at(end)


def _live(rng, data, deployment, created: datetime) -> RunRecord:
    record = _record(rng, data, deployment, created)
    record.speed = LIVE_SPEED
    return record
