"""Cache round trips, server scoping, indexed lookups and the run merge rules."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from comfytui.cache import Cache
from comfytui.cache.schema import SCHEMA_VERSION
from comfytui.models import (
    Deployment,
    InputKind,
    InputSpec,
    Machine,
    OutputFile,
    Run,
    RunStatus,
    SavedOutput,
    Workflow,
    WorkflowVersion,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _run(n: int, **kw) -> Run:
    values = dict(
        id=f"run-{n:04d}",
        status=RunStatus.SUCCESS,
        raw_status="success",
        deployment_id=f"dep-{n % 2}",
        created_at=T0 + timedelta(seconds=n),
        inputs={"input_text": f"fox {n}"},
    )
    values.update(kw)
    return Run(**values)


@pytest.fixture
async def cache(tmp_path):
    c = await Cache.open(tmp_path / "cache.db", "http://a/api#u1")
    yield c
    await c.close()


async def test_open_sets_wal_and_version(tmp_path, cache):
    assert cache.notice is None
    conn = sqlite3.connect(tmp_path / "cache.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


async def test_models_round_trip(cache):
    spec = InputSpec(
        "steps",
        "ComfyUIDeployExternalNumberSliderInt",
        InputKind.SLIDER_INT,
        20,
        1,
        50,
        1,
        "Steps",
        "how many",
        ("a", "b"),
    )
    wf = Workflow("wf-1", "txt2img", "desc", "m-1", True, T0, T0)
    dep = Deployment(
        "dep-1", "txt2img", "staging", "wf-1", "v-1", "m-1", "box", 3, "d", "A10G", (spec,), T0, T0
    )
    machine = Machine("m-1", "box", "ready", "comfy-deploy-serverless", "A10G", T0, T0)
    version = WorkflowVersion("v-1", "wf-1", 3, "c", T0, T0, {"3": {"class_type": "X"}})
    run = Run(
        "r-1",
        RunStatus.RUNNING,
        "running",
        "dep-1",
        "wf-1",
        "v-1",
        "m-1",
        "api",
        "A10G",
        {"a": [1, 2]},
        0.45,
        "Executing KSampler",
        T0,
        T0,
        T0,
        T0,
        None,
        (OutputFile("http://x/1.png", "1.png", "images", "output", "", "o1"),),
        ("hello",),
        None,
    )
    await cache.upsert_workflows([wf])
    await cache.upsert_deployments([dep])
    await cache.upsert_machines([machine])
    await cache.upsert_workflow_versions([version])
    await cache.upsert_run(run)
    assert await cache.get_workflow("wf-1") == wf
    assert await cache.get_deployment("dep-1") == dep
    assert await cache.get_machine("m-1") == machine
    got_version = await cache.get_workflow_version("v-1")
    assert got_version == version and got_version.workflow_api == version.workflow_api
    got = await cache.get_run("r-1")
    assert got == run and got.inputs == run.inputs


async def test_servers_never_mix(tmp_path, cache):
    other = await Cache.open(tmp_path / "cache.db", "http://a/api#u2")
    await cache.upsert_workflows([Workflow("wf-1", "mine")])
    await other.upsert_workflows([Workflow("wf-1", "theirs")])
    await cache.upsert_run(_run(1))
    assert [w.name for w in await cache.list_workflows()] == ["mine"]
    assert [w.name for w in await other.list_workflows()] == ["theirs"]
    assert await other.list_runs() == [] and await other.get_run("run-0001") is None
    await other.close()


async def test_list_runs_pages_newest_first_with_filters(cache):
    await cache.upsert_runs(
        [_run(n, status=RunStatus.FAILED if n % 3 == 0 else RunStatus.SUCCESS) for n in range(50)]
    )
    page = await cache.list_runs(limit=10, offset=5)
    assert [r.id for r in page] == [f"run-{n:04d}" for n in range(44, 34, -1)]
    assert await cache.count_runs() == 50
    assert {r.deployment_id for r in await cache.list_runs(deployment_id="dep-1")} == {"dep-1"}
    failed = await cache.list_runs(status=RunStatus.FAILED, limit=100)
    assert len(failed) == 17 and await cache.count_runs(status="failed") == 17
    assert [r.id for r in await cache.list_runs(search="run-0049")] == ["run-0049"]


async def test_run_merge_keeps_what_the_server_omits(cache):
    await cache.upsert_run(_run(1, status=RunStatus.QUEUED))
    later = Run("run-0001", RunStatus.RUNNING, "running", progress=0.5, live_status="Executing X")
    await cache.upsert_runs([later])
    got = await cache.get_run("run-0001")
    assert got.status is RunStatus.RUNNING and got.progress == 0.5
    assert got.inputs == {"input_text": "fox 1"} and got.deployment_id == "dep-1"
    assert got.created_at == T0 + timedelta(seconds=1)


async def test_unfinished_runs(cache):
    await cache.upsert_runs(
        [_run(1), _run(2, status=RunStatus.RUNNING), _run(3, status=RunStatus.NOT_STARTED)]
    )
    assert [r.id for r in await cache.unfinished_runs()] == ["run-0002", "run-0003"]


async def test_lookups_by_name_and_workflow(cache):
    await cache.upsert_workflows([Workflow("wf-1", "Txt2Img"), Workflow("wf-2", "upscale")])
    await cache.upsert_deployments(
        [
            Deployment("d-s", "Txt2Img", "staging", "wf-1"),
            Deployment("d-p", "Txt2Img", "production", "wf-1"),
            Deployment("d-u", "upscale", "production", "wf-2"),
        ]
    )
    assert (await cache.find_workflow_by_name("txt2img")).id == "wf-1"
    assert await cache.find_workflow_by_name("nope") is None
    assert [d.id for d in await cache.find_deployments_by_name("TXT2IMG")] == ["d-p", "d-s"]
    assert [d.id for d in await cache.list_deployments(workflow_id="wf-2")] == ["d-u"]
    assert [w.id for w in await cache.list_workflows(search="scal")] == ["wf-2"]
    await cache.replace_deployments([Deployment("d-u", "upscale", "production", "wf-2")])
    assert [d.id for d in await cache.list_deployments()] == ["d-u"]


async def test_lookups_use_indexes(tmp_path, cache):
    conn = sqlite3.connect(tmp_path / "cache.db")
    runs = "SELECT * FROM runs WHERE server = 1"
    newest = "ORDER BY created_at DESC, rowid DESC LIMIT 200"
    queries = {
        f"{runs} {newest}": "runs_by_created",
        f"{runs} AND deployment_id = 'd' {newest}": "runs_by_deployment",
        f"{runs} AND status IN ('running') ORDER BY created_at, rowid": "runs_by_status",
        "SELECT * FROM workflows WHERE server = 1 AND name = 'n' COLLATE NOCASE": (
            "workflows_by_name"
        ),
        "SELECT * FROM deployments WHERE server = 1 AND workflow_id = 'w'": (
            "deployments_by_workflow"
        ),
    }
    for sql, index in queries.items():
        plan = " ".join(str(row) for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert index in plan, (sql, plan)
        assert "TEMP B-TREE" not in plan, plan
    conn.close()


async def test_sync_outputs_and_last_inputs(cache):
    assert await cache.last_synced("runs") is None
    await cache.set_synced("runs", T0)
    assert await cache.last_synced("runs") == T0
    saved = SavedOutput("r-1", "http://x/1.png", "/d/outputs/r-1/1.png", "ab" * 32, 10, "image/png")
    await cache.record_output(saved)
    assert await cache.outputs_for_run("r-1") == [saved]
    assert await cache.find_output_by_sha("r-1", "ab" * 32) == saved
    assert await cache.find_output_by_sha("r-1", "cd" * 32) is None
    assert await cache.last_inputs("dep-1") is None
    await cache.save_last_inputs("dep-1", {"input_text": "fox", "n": 2})
    assert await cache.last_inputs("dep-1") == {"input_text": "fox", "n": 2}


async def test_bulk_upsert_in_chunks_and_reread_sees_changes(cache):
    await cache.upsert_runs([_run(n) for n in range(2500)])
    assert await cache.count_runs() == 2500
    first = await cache.list_runs(limit=5)
    assert first[0].id == "run-2499" and first[0].status is RunStatus.SUCCESS
    again = await cache.list_runs(limit=5)
    assert again[0] is first[0]  # unchanged rows reuse their Run
    await cache.upsert_run(_run(2499, status=RunStatus.FAILED, error="boom"))
    changed = await cache.list_runs(limit=5)
    assert changed[0].status is RunStatus.FAILED and changed[0].error == "boom"
    assert changed[1] is first[1]


async def test_a_failing_bulk_upsert_leaves_nothing(cache):
    runs = [_run(n) for n in range(1500)] + [_run(9999, inputs={"x": object()})]
    runs[-1] = Run(id="bad", status=RunStatus.SUCCESS, created_at=object())  # not a datetime
    with pytest.raises(AttributeError):
        await cache.upsert_runs(runs)
    assert await cache.count_runs() == 0
