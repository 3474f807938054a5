"""Read-only mode below the UI: the services refuse every mutating call, the CLI exits 2 with one
line, and the emulator's request log shows that no mutating request left (every mutating route)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import httpx
import pytest
from PIL import Image
from support_ui import settings_for

from comfytui.errors import ReadOnlyError
from comfytui.services import Session
from comfytui.settings import load_settings

MUTATING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _settings(emulator, **changes):
    return settings_for(emulator, **changes)


def _mutating_requests(emulator) -> list[dict]:
    log = httpx.get(f"{emulator.base_url}/_emulator/requests").json()
    return [r for r in log if r["method"] in MUTATING_METHODS]


def _png(path):
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return path


async def _unfinished_run(session) -> str:
    runs = (await session.catalog.refresh_runs()).items
    return next(r.id for r in runs if not r.is_terminal)


async def test_every_mutating_service_call_is_refused(emulator, tmp_path):
    image = _png(tmp_path / "in.png")
    async with Session.open(_settings(emulator, readonly=True)) as session:
        assert session.readonly
        deployments = (await session.catalog.refresh_deployments()).items  # reads still work
        txt2img = next(d for d in deployments if d.name == "txt2img")
        running = await _unfinished_run(session)
        httpx.delete(f"{emulator.base_url}/_emulator/requests")
        with pytest.raises(ReadOnlyError, match="starting a run is disabled in read-only mode"):
            await session.runs.start(txt2img, {"prompt": "a fox"})
        with pytest.raises(ReadOnlyError, match="uploading a file"):
            await session.runs.start(txt2img, {"prompt": "a fox", "init_image": image})
        with pytest.raises(ReadOnlyError, match="cancelling a run"):
            await session.runs.cancel(running)
        with pytest.raises(ReadOnlyError, match="pushing a workflow"):
            await session.catalog.push_workflow("x", {}, {"1": {"class_type": "KSampler"}})
        with pytest.raises(ReadOnlyError, match="uploading a file"):
            await session.client.upload_file(image)
        with pytest.raises(ReadOnlyError, match="starting a run"):
            session.client.stream_run(txt2img.id, {"prompt": "x"})
        with pytest.raises(ReadOnlyError):
            await session.client.queue_run(txt2img.id, {"prompt": "x"})
        assert (await session.catalog.get_run(running)).id == running
    assert _mutating_requests(emulator) == []
    assert ReadOnlyError("x").exit_code == 2


async def test_without_readonly_the_same_calls_reach_the_server(emulator):
    """The guard is what stops them: the same calls without it do send (the test can fail)."""
    async with Session.open(_settings(emulator)) as session:
        assert not session.readonly
        deployments = (await session.catalog.refresh_deployments()).items
        txt2img = next(d for d in deployments if d.name == "txt2img")
        httpx.delete(f"{emulator.base_url}/_emulator/requests")
        run = await session.runs.start(txt2img, {"prompt": "a fox"})
        await session.runs.cancel(run.id)
    paths = {(r["method"], r["path"]) for r in _mutating_requests(emulator)}
    assert ("POST", "/api/run/deployment/queue") in paths
    assert ("POST", f"/api/run/{run.id}/cancel") in paths


def test_readonly_config_is_per_profile(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("COMFYTUI_HOME", str(home))
    settings = load_settings(keyring_lookup=False)
    settings.locations.config_dir.mkdir(parents=True, exist_ok=True)
    settings.locations.config_file.write_text(
        'bell = true\nnotify = "terminal"\n[aliases]\nbad = "runs failed"\n'
        "[profiles.prod]\nreadonly = true\n"
    )
    assert not load_settings(keyring_lookup=False).readonly
    prod = load_settings(keyring_lookup=False, profile="prod")
    assert prod.readonly and prod.bell and prod.notify == "terminal"
    assert prod.aliases == {"bad": "runs failed"}
    assert load_settings(keyring_lookup=False, readonly=True).readonly
    settings.locations.config_file.write_text('notify = "loud"\n')
    from comfytui.errors import ConfigError

    with pytest.raises(ConfigError, match="notify = .loud. is not allowed; use one of auto"):
        load_settings(keyring_lookup=False)


def _cli(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "comfytui", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_cli_refuses_with_exit_2_and_one_line(emulator, tmp_path):
    env = dict(os.environ)
    env.pop("COMFYTUI_DEBUG", None)
    env["COMFY_DEPLOY_API_URL"] = emulator.api_url
    env["COMFY_DEPLOY_API_KEY"] = emulator.api_key
    runs = json.loads(_cli(env, "ls", "runs", "--json").stdout)["items"]
    running = next(r["id"] for r in runs if r["status"] in ("running", "queued", "started"))
    wf = tmp_path / "wf.json"
    wf.write_text(json.dumps({"1": {"class_type": "KSampler", "inputs": {}}}))
    image = _png(tmp_path / "in.png")
    httpx.delete(f"{emulator.base_url}/_emulator/requests")
    results = {
        "run": _cli(env, "--readonly", "run", "txt2img", "-i", "prompt=fox", "--wait"),
        "upload": _cli(
            env, "run", "--readonly", "txt2img", "-i", "prompt=x", "-i", f"init_image=@{image}"
        ),
        "cancel": _cli(env, "cancel", running, "--readonly"),
        "push": _cli(env, "workflow", "push", str(wf), "--name", "n", "--readonly"),
    }
    env["COMFYTUI_HOME"] = str(tmp_path / "cfg")
    cfg = load_settings(environ=env, keyring_lookup=False).locations.config_file
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text("[profiles.prod]\nreadonly = true\n")
    results["profile"] = _cli(env, "--profile", "prod", "run", "txt2img", "-i", "prompt=fox")
    for name, result in results.items():
        assert result.returncode == 2, (name, result.stderr)
        last = result.stderr.strip().splitlines()[-1]
        assert "Traceback" not in result.stderr
        assert last.startswith("comfytui: error: ") and "read-only mode" in last, (name, last)
        assert sum("error:" in line for line in result.stderr.splitlines()) == 1
    assert _mutating_requests(emulator) == []
    # reads still work in read-only mode
    assert _cli(env, "--readonly", "ls", "deployments").returncode == 0
