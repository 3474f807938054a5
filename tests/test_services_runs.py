"""Runs: start writes the cache at once, watch writes through, outputs are saved, resume works."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from PIL import Image

from comfytui.errors import InputError
from comfytui.locations import locations
from comfytui.models import RunStatus
from comfytui.services import Session
from comfytui.settings import Secret, Settings

FAST = {"retry_attempts": 1}


def settings_for(emu) -> Settings:
    return Settings(api_url=emu.api_url, api_key=Secret(emu.api_key), locations=locations())


def png(path):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


async def test_start_uploads_validates_and_writes_the_cache_at_once(emulator, tmp_path):
    image = png(tmp_path / "init.png")
    progress = []
    async with Session.open(settings_for(emulator), client_options=FAST) as session:
        deployment = await session.catalog.resolve_deployment("txt2img")
        with pytest.raises(InputError, match="steps"):
            await session.runs.start(deployment, {"steps": "9999"})
        values = {"prompt": "a fox", "steps": "12", "init_image": image}
        run = await session.runs.start(
            deployment, values, on_upload_progress=lambda *a: progress.append(a)
        )
        cached = await session.cache.get_run(run.id)
        assert cached is not None and cached.deployment_id == deployment.id
        assert cached.status is RunStatus.NOT_STARTED and cached.inputs["steps"] == 12
        url = cached.inputs["init_image"]
        assert isinstance(url, str) and url.startswith("http")
        assert progress and progress[-1][0] == "init_image"
        assert await session.runs.last_inputs(deployment.id) == cached.inputs
        assert [r.id for r in await session.runs.unfinished()] == [run.id]
        paths = [r["path"] for r in emulator.requests() if r["method"] == "POST"]
        assert paths.index("/api/file/upload") < paths.index("/api/run/deployment/queue")

        seen = []
        async for change in session.runs.watch(run.id):
            stored = await session.cache.get_run(run.id)
            assert stored == change and stored.inputs == cached.inputs
            seen.append(change.status)
        assert seen[-1] is RunStatus.SUCCESS and await session.runs.unfinished() == []
        assert await session.cache.outputs_for_run(run.id)  # saved by watch once it succeeded

        final = await session.catalog.get_run(run.id)
        saved = await session.runs.save_outputs(final)
        folder = session.settings.locations.outputs_dir / run.id
        assert saved and all(os.path.dirname(s.path) == str(folder) for s in saved)
        assert all(os.path.getsize(s.path) == s.size for s in saved)
        assert await session.cache.outputs_for_run(run.id) == saved
        assert await session.runs.save_outputs(final) == saved  # nothing downloaded twice
        assert len(list(folder.iterdir())) == len(saved)


async def test_cancel(emulator_factory):
    emu = emulator_factory(speed=1.0)
    async with Session.open(settings_for(emu), client_options=FAST) as session:
        run = await session.runs.start("txt2img", {})
        cancelled = await session.runs.cancel(run.id)
        assert cancelled is not None and cancelled.status is RunStatus.CANCELLED
        assert (await session.cache.get_run(run.id)).status is RunStatus.CANCELLED
        assert cancelled.inputs == run.inputs


SCRIPT = textwrap.dedent(
    """
    import asyncio
    from comfytui.services import Session
    from comfytui.settings import load_settings

    async def main():
        async with Session.open(load_settings(keyring_lookup=False)) as session:
            run = await session.runs.start("txt2img", {"prompt": "resume me"})
            print(run.id, flush=True)
            await asyncio.sleep(120)

    asyncio.run(main())
    """
)


async def test_a_killed_process_run_is_resumed_by_the_next(emulator_factory, monkeypatch):
    emu = emulator_factory(speed=1.0)
    monkeypatch.setenv("COMFY_DEPLOY_API_URL", emu.api_url)
    monkeypatch.setenv("COMFY_DEPLOY_API_KEY", emu.api_key)
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        run_id = proc.stdout.readline().strip()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert run_id and proc.returncode == -signal.SIGKILL
    settings = settings_for(emu)
    async with Session.open(settings, client_options=FAST) as session:
        pending = await session.runs.unfinished()
        assert [r.id for r in pending] == [run_id]
        assert pending[0].inputs == {"prompt": "resume me"}
        finished = await session.runs.resume()
        assert [(r.id, r.status) for r in finished] == [(run_id, RunStatus.SUCCESS)]
        saved = await session.cache.outputs_for_run(run_id)
        folder = settings.locations.outputs_dir / run_id
        assert saved and all(os.path.dirname(s.path) == str(folder) for s in saved)
        assert all(os.path.isfile(s.path) for s in saved)
        assert await session.runs.unfinished() == []


async def test_two_saves_of_one_run_at_once_download_each_file_once(emulator_factory):
    # the run watcher and an open run screen both save a run's outputs when it ends: the
    # second waits for the first and finds its files (no second download over the first)
    import asyncio

    emu = emulator_factory(speed=0.0)
    async with Session.open(settings_for(emu), client_options=FAST) as session:
        run = await session.runs.start("txt2img", {})
        final = [r async for r in session.runs.watch(run.id, save=False)][-1]
        assert final.status is RunStatus.SUCCESS and final.outputs
        before = len(emu.requests())
        first, second = await asyncio.gather(
            session.runs.save_outputs(final), session.runs.save_outputs(final)
        )
        assert first == second and len(first) == len(final.outputs)
        downloads = [r for r in emu.requests()[before:] if r["method"] == "GET"]
        assert len(downloads) == len(final.outputs), downloads
