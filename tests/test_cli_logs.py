"""`comfytui logs` in a real subprocess against the emulator."""

from __future__ import annotations

import json
import subprocess

import httpx

from tests.support_cli import run_cli

TIMEOUT = 90


def _run_cli(emu, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(emu, *args, timeout=TIMEOUT)


def _queue(emu, name: str) -> str:
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    deps = httpx.get(emu.api_url + "/deployments", headers=headers, timeout=30).json()
    deployment = next(d["id"] for d in deps if d["workflow"]["name"] == name)
    body = {"deployment_id": deployment, "inputs": {}}
    url = emu.api_url + "/run/deployment/queue"
    return httpx.post(url, json=body, headers=headers, timeout=30).json()["run_id"]


def test_follow_ends_when_the_run_ends(emulator_factory):
    emu = emulator_factory(speed=1.0)
    run_id = _queue(emu, "broken")
    result = _run_cli(emu, "logs", run_id, "--follow", "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(lines[0]) == {"timestamp", "level", "text"}
    assert lines[-1]["text"].startswith("MachineError:")
    assert any(line["text"].startswith("Traceback") for line in lines)


def test_replay_text_and_expired_archive(emulator_factory):
    emu = emulator_factory(speed=0.0)
    run_id = _queue(emu, "txt2img")
    result = _run_cli(emu, "logs", run_id)
    assert result.returncode == 0, result.stderr
    assert "Prompt executed in" in result.stdout
    missing = _run_cli(emu, "logs", "00000000-0000-4000-8000-000000000000")
    assert missing.returncode == 5
    assert missing.stderr.count("\n") == 1 and "Traceback" not in missing.stderr
