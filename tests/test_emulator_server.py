"""EmulatorServer life cycle, control routes, seed data and the `comfytui emulator` command."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from comfytui.emulator import seed
from comfytui.emulator.server import EmulatorServer


def test_start_is_fast_and_stop_does_not_hang():
    started = time.perf_counter()
    emu = EmulatorServer(speed=0).start()
    took = time.perf_counter() - started
    try:
        assert took < 1.0
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api", emu.api_url)
        assert emu.storage_url != emu.base_url
        httpx.get(f"{emu.api_url}/machines", headers={"Authorization": f"Bearer {emu.api_key}"})
    finally:
        stopping = time.perf_counter()
        emu.stop()
    assert time.perf_counter() - stopping < 2.0
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{emu.api_url}/machines")


def test_stop_with_an_open_stream():
    with EmulatorServer(speed=0.05) as emu:
        client = httpx.Client(timeout=5)
        deployment_id = next(iter(emu.state.deployments))
        request = client.build_request(
            "POST",
            f"{emu.api_url}/run/deployment/stream",
            json={"deployment_id": deployment_id},
            headers={"Authorization": f"Bearer {emu.api_key}"},
        )
        client.send(request, stream=True)
        stopping = time.perf_counter()
    assert time.perf_counter() - stopping < 3.0


def test_api_key_is_deterministic_per_seed():
    assert EmulatorServer(seed=1).api_key == EmulatorServer(seed=1).api_key
    assert EmulatorServer(seed=1).api_key != EmulatorServer(seed=2).api_key
    with pytest.raises(ValueError):
        EmulatorServer(dialect="v3")


def test_seed_is_deterministic_and_complete():
    first, again, other = seed.build(0), seed.build(0), seed.build(1)
    assert list(first.deployments) == list(again.deployments)
    assert list(first.deployments) != list(other.deployments)
    names = {first.workflows[d["workflow_id"]]["name"] for d in first.deployments.values()}
    assert {
        "txt2img",
        "webp-out",
        "broken",
        *seed.MARKUP_NAMES,
        seed.UNICODE_NAME,
        seed.LONG_NAME,
    } <= names
    assert len(first.workflows) >= 5 and len(first.deployments) >= 6
    assert len(first.machines) >= 4 and len(first.runs) >= 20
    classes = {
        n["class_type"].removeprefix("ComfyUIDeployExternal")
        for d in first.deployments.values()
        for n in first.versions[d["workflow_version_id"]]["workflow_api"].values()
    }
    assert {
        "Text",
        "TextAny",
        "TextSingleLine",
        "Image",
        "ImageAlpha",
        "ImageBatch",
        "Number",
        "NumberInt",
        "NumberSlider",
        "NumberSliderInt",
        "Boolean",
        "Enum",
        "Seed",
        "Checkpoint",
        "Lora",
        "Video",
        "Audio",
        "File",
        "EXR",
    } <= classes
    versions_per_workflow = [
        sum(v["workflow_id"] == w for v in first.versions.values()) for w in first.workflows
    ]
    assert sum(n > 1 for n in versions_per_workflow) >= 5


def test_reset_and_config_control_routes(emulator):
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    deployment_id = next(iter(emulator.state.deployments))
    httpx.post(
        f"{emulator.api_url}/run/deployment/queue",
        headers=headers,
        json={"deployment_id": deployment_id},
    )
    count = len(emulator.state.runs)
    assert httpx.post(f"{emulator.base_url}/_emulator/reset").json() == {"reset": True}
    assert len(emulator.state.runs) == count - 1
    assert emulator.requests() == []
    config = f"{emulator.base_url}/_emulator/config"
    try:
        assert (
            httpx.post(config, json={"dialect": "selfhost", "speed": 2}).json()["dialect"]
            == "selfhost"
        )
        assert httpx.get(f"{emulator.api_url}/deployments", headers=headers).status_code == 404
    finally:
        httpx.post(config, json={"dialect": "v2", "speed": 0})
    assert httpx.post(config, json={"dialect": "v9"}).status_code == 422


def _spawn(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "comfytui", "emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_cli_prints_two_lines_and_stops_cleanly(signum):
    proc = _spawn("--port", "0", "--seed", "3", "--fault", "kind=503,route=/api/machines,count=1")
    try:
        first, second = proc.stdout.readline().rstrip("\n"), proc.stdout.readline().rstrip("\n")
        match = re.fullmatch(r"comfytui emulator listening on (http://127\.0\.0\.1:\d+/api)", first)
        assert match, first
        assert second == f"api key: {EmulatorServer(seed=3).api_key}"
        headers = {"Authorization": f"Bearer {second.removeprefix('api key: ')}"}
        assert httpx.get(f"{match[1]}/machines", headers=headers).status_code == 503
        assert httpx.get(f"{match[1]}/machines", headers=headers).status_code == 200
    finally:
        proc.send_signal(signum)
        assert proc.wait(10) == 0


def test_cli_rejects_a_bad_fault():
    proc = _spawn("--fault", "kind=teapot")
    assert proc.wait(10) == 2
    assert "unknown fault kind" in proc.stderr.read()


def test_reset_restores_dialect_and_speed(emulator):
    emulator.configure(dialect="legacy", speed=3.0)
    emulator.reset()
    assert (emulator.state.dialect, emulator.state.speed) == ("v2", 0.0)
    httpx.post(f"{emulator.base_url}/_emulator/config", json={"dialect": "selfhost"})
    httpx.post(f"{emulator.base_url}/_emulator/reset")
    assert emulator.state.dialect == "v2"
