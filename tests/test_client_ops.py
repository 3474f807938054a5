"""Every client operation against the emulator over loopback, for the three dialects."""

from __future__ import annotations

import time

import pytest
import support_client as support
from support_client import PNG, api_requests, deployment_id, make_client

from comfytui.errors import NotFoundError, NotSupportedError, ProtocolError
from comfytui.models import InputKind, RunStatus

# --- v2 -------------------------------------------------------------------------------------

legacy_emus = support.legacy_emus  # shared fixtures
png = support.png


async def test_v2_catalog(emulator):
    async with make_client(emulator) as client:
        assert await client.detect_dialect() == "v2"
        workflows = await client.list_workflows()
        assert workflows and all(w.id and w.name for w in workflows)
        assert await client.get_workflow(workflows[0].id) == workflows[0]
        assert len(await client.list_workflows(limit=2)) == 2
        versions = await client.list_workflow_versions(workflows[0].id)
        version = await client.get_workflow_version(versions[0].id)
        assert version.id == versions[0].id and isinstance(version.workflow_api, dict)
        deployments = await client.list_deployments()
        txt2img = next(d for d in deployments if d.name == "txt2img")
        assert txt2img.inputs and txt2img.inputs[0].kind is InputKind.TEXT
        assert await client.get_deployment(txt2img.id) == txt2img
        machines = await client.list_machines()
        assert await client.get_machine(machines[0].id) == machines[0]
        with pytest.raises(NotFoundError) as err:
            await client.get_run("7d3a1c4e-8f5b-4c2a-9e61-3b2d5a0c9f77")
        assert client.host in str(err.value)


async def test_v2_run_lifecycle(emulator, png):
    async with make_client(emulator) as client:
        dep = await deployment_id(client)
        run_id = await client.queue_run(dep, {"prompt": "a fox"})
        run = await client.get_run(run_id)
        assert run.id == run_id and run.status is RunStatus.SUCCESS and run.outputs
        assert [r.id for r in await client.list_deployment_runs(dep)].count(run_id) == 1
        image = await client.download(run.outputs[0].url)
        assert image.content_type.startswith("image/") and len(image.content) > 100
        with pytest.raises(ProtocolError, match="where text/ was expected"):
            await client.download(run.outputs[0].url, allowed_types=("text/",))
        with pytest.raises(ProtocolError, match="larger than"):
            await client.download(run.outputs[0].url, max_bytes=10)
        seen: list[tuple[int, int]] = []
        url = await client.upload_file(png, on_progress=lambda *progress: seen.append(progress))
        assert url.startswith("http") and seen[-1] == (len(PNG), len(PNG))
        assert (await client.download(url)).content == PNG
        pushed = await client.push_workflow("pushed", {"nodes": []}, {"1": {"inputs": {}}})
        assert pushed.version >= 1 and pushed.workflow_id
        broken = await client.queue_run(await deployment_id(client, "broken"), {})
        failed = await client.get_run(broken)
        assert failed.status is RunStatus.FAILED and failed.error


async def test_v2_watch_stream_cancel(emulator_factory):
    emu = emulator_factory(dialect="v2", speed=20.0)
    async with make_client(emu) as client:
        dep = await deployment_id(client)
        run_id = await client.queue_run(dep, {})
        snapshots = [r async for r in client.watch_run(run_id, min_interval=0.02, max_interval=0.1)]
        assert snapshots[-1].is_terminal and snapshots[-1].outputs
        assert not any(r.is_terminal for r in snapshots[:-1])
        assert all(a != b for a, b in zip(snapshots, snapshots[1:], strict=False))
        items = [item async for item in client.stream_run(dep, {"prompt": "x"})]
        assert isinstance(items[0], str) and items[-1].id == items[0]
        assert items[-1].status is RunStatus.SUCCESS and items[-1].outputs
        emu.configure(speed=0.5)
        slow = await client.queue_run(dep, {})
        await client.cancel_run(slow)
        assert (await client.get_run(slow)).status is RunStatus.CANCELLED


async def test_watch_honours_retry_after(emulator):
    async with make_client(emulator, retry_attempts=1) as client:
        run_id = await client.queue_run(await deployment_id(client), {})
        emulator.add_fault(kind="429", route=f"/api/run/{run_id}", count=1, retry_after=0.3)
        start = time.monotonic()
        runs = [r async for r in client.watch_run(run_id, min_interval=0.01)]
        assert time.monotonic() - start >= 0.3 and runs[-1].is_terminal


@pytest.mark.parametrize("suffix", ["", "/", "/api", "/api/", "/api//"])
async def test_base_url_forms_never_double_api(emulator, suffix):
    async with make_client(emulator, base_url=emulator.base_url + suffix) as client:
        await client.list_machines()
        await client.list_machines()
    paths = [r["path"] for r in api_requests(emulator)]
    assert paths and all(p.startswith("/api/") and "/api/api" not in p for p in paths)
    probes = [r for r in api_requests(emulator, "GET", "/api/deployments")]
    assert len(probes) == 1  # the dialect is probed once


# --- legacy and self-host -------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["legacy", "selfhost"])
async def test_legacy_dialects(legacy_emus, dialect, png):
    emu = legacy_emus[dialect]
    emu.reset()
    hosted = dialect == "legacy"
    async with make_client(emu) as client:
        assert await client.detect_dialect() == dialect
        with pytest.raises(NotSupportedError):
            await client.list_workflows()
        with pytest.raises(NotSupportedError):
            await client.list_machines()
        with pytest.raises(NotSupportedError):
            await client.cancel_run("x")
        with pytest.raises(NotSupportedError):
            await client.list_workflow_versions("x")
        dep = next(
            d["id"]
            for d in emu.state.deployments.values()
            if emu.state.workflow_name(d["workflow_id"]) == "txt2img"
        )
        if hosted:
            listed = await client.list_deployments()
            assert dep in {d.id for d in listed}
            got = await client.get_deployment(dep)
            assert got.name == "txt2img" and got.inputs
        else:
            with pytest.raises(NotSupportedError):
                await client.list_deployments()
        run_id = await client.queue_run(dep, {"prompt": "x"})
        run = await client.get_run(run_id)
        assert run.status is RunStatus.SUCCESS and run.outputs
        runs = [r async for r in client.watch_run(run_id, min_interval=0.01)]
        assert runs == [run]
        assert (await client.download(run.outputs[0].url)).content
        url = await client.upload_file(png)
        assert (await client.download(url)).content == PNG
        pushed = await client.push_workflow("p", {"nodes": []}, {}, workflow_id=None)
        assert pushed.version == 1
        version_id = next(iter(emu.state.versions))
        assert (await client.get_workflow_version(version_id)).id == version_id  # text/plain JSON
        with pytest.raises(NotFoundError, match="not found on"):
            await client.get_run("7d3a1c4e-8f5b-4c2a-9e61-3b2d5a0c9f77")
        with pytest.raises(NotFoundError, match="Deployment not found"):
            await client.queue_run("7d3a1c4e-8f5b-4c2a-9e61-3b2d5a0c9f77", {})


async def test_selfhost_listing_sends_nothing(legacy_emus):
    emu = legacy_emus["selfhost"]
    emu.reset()
    async with make_client(emu, dialect="selfhost") as client:
        with pytest.raises(NotSupportedError, match="cannot list deployments"):
            await client.list_deployments()
    assert api_requests(emu) == []


# --- a first get_run before the dialect is known --------------------------------------------


async def test_first_get_run_on_v2_needs_no_probe(emulator):
    async with make_client(emulator) as client:
        run_id = await client.queue_run(await deployment_id(client), {})
    before = len(api_requests(emulator))
    async with make_client(emulator) as fresh:
        run = await fresh.get_run(run_id)
        assert run.id == run_id and fresh.dialect == "v2"
    paths = [r["path"] for r in api_requests(emulator)[before:]]
    assert paths == [f"/api/run/{run_id}"]  # one round trip: its answer decided the dialect


@pytest.mark.parametrize("dialect", ["legacy", "selfhost"])
async def test_first_get_run_on_legacy_falls_back_to_the_probe(legacy_emus, dialect):
    emu = legacy_emus[dialect]
    emu.reset()
    dep = next(
        d["id"]
        for d in emu.state.deployments.values()
        if emu.state.workflow_name(d["workflow_id"]) == "txt2img"
    )
    async with make_client(emu) as client:
        run_id = await client.queue_run(dep, {"prompt": "x"})
    async with make_client(emu) as fresh:
        run = await fresh.get_run(run_id)
        assert run.id == run_id and run.status is RunStatus.SUCCESS
        assert fresh.dialect == dialect
        with pytest.raises(NotFoundError, match="not found on"):
            await fresh.get_run("7d3a1c4e-8f5b-4c2a-9e61-3b2d5a0c9f77")
