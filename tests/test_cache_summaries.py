"""Run summaries: the Runs list's light rows, read from columns only (schema v3)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from comfytui.cache import Cache
from comfytui.cache.schema import MIGRATIONS, SCHEMA_VERSION
from comfytui.models import OutputFile, Run, RunStatus, RunSummary

T0 = datetime(2025, 3, 1, tzinfo=UTC)
SERVER = "http://a/api#u1"
_STATUSES = (RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.RUNNING, RunStatus.QUEUED)


def _run(n: int, **kw) -> Run:
    status = _STATUSES[n % len(_STATUSES)]
    values = dict(
        id=f"run-{n:04d}",
        status=status,
        raw_status=status.value,
        deployment_id=f"dep-{n % 3}",
        origin="api" if n % 2 else None,
        gpu="A10G" if n % 5 else None,
        inputs={"input_text": f"fox {n}"},
        progress=1.0 if status.is_terminal else 0.4,
        live_status="Executing" if not status.is_terminal else None,
        created_at=T0 + timedelta(seconds=n),
        updated_at=T0 + timedelta(seconds=n + 9),
        started_at=T0 + timedelta(seconds=n + 2) if n % 7 else None,
        ended_at=T0 + timedelta(seconds=n + 9) if status.is_terminal else None,
        outputs=(OutputFile(f"http://x/{n}.png", f"{n}.png"),) if n % 4 == 0 else (),
    )
    values.update(kw)
    return Run(**values)


@pytest.fixture
async def cache(tmp_path):
    c = await Cache.open(tmp_path / "cache.db", SERVER)
    await c.upsert_runs([_run(n) for n in range(120)])
    yield c
    await c.close()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"limit": 17, "offset": 30},
        {"deployment_id": "dep-1"},
        {"status": RunStatus.RUNNING},
        {"status": ["failed", "queued"], "limit": 500},
        {"search": "run-005"},
        {"search": "running", "deployment_id": "dep-2"},
    ],
)
async def test_summaries_are_the_same_page_as_full_runs(cache, query):
    runs = await cache.list_runs(**query)
    summaries = await cache.list_run_summaries(**query)
    assert runs
    assert summaries == [RunSummary.from_run(r) for r in runs]


async def test_summary_reads_like_a_run(cache):
    (summary,) = await cache.list_run_summaries(limit=1, offset=120 - 1 - 14)  # run-0014
    run = await cache.get_run(summary.id)
    assert summary.id == run.id == "run-0014"
    for name in ("status", "deployment_id", "created_at", "started_at", "ended_at", "progress"):
        assert getattr(summary, name) == getattr(run, name), name
    assert summary.status is RunStatus.RUNNING and not summary.is_terminal
    assert summary.gpu == "A10G" and summary.origin is None and summary.started_at is None
    assert summary.created_at == T0 + timedelta(seconds=14)
    assert summary.created_at.tzinfo is not None
    with pytest.raises(AttributeError):
        summary.status_value = "success"  # type: ignore[misc]


def test_from_run_edge_cases():
    naive = datetime(2025, 1, 1, 12, 0, 0)
    s = RunSummary.from_run(Run("r", RunStatus.UNKNOWN, deployment_id="", gpu="", created_at=naive))
    assert s.created_at == naive.replace(tzinfo=UTC)
    assert s.deployment_id is None and s.gpu is None and s.started_at is None
    assert s.status is RunStatus.UNKNOWN and not s.is_terminal
    assert RunSummary("r", "weird").status is RunStatus.UNKNOWN


async def test_upsert_updates_the_summary_columns(cache):
    run = _run(2, status=RunStatus.RUNNING, ended_at=None, gpu="T4", origin="cli")
    await cache.upsert_run(run)
    done = _run(2, status=RunStatus.SUCCESS, ended_at=T0 + timedelta(hours=1), gpu=None)
    await cache.upsert_run(done)
    (summary,) = [s for s in await cache.list_run_summaries(limit=500) if s.id == run.id]
    assert summary == RunSummary.from_run(await cache.get_run(run.id))
    assert summary.ended_at == T0 + timedelta(hours=1) and summary.gpu is None
    assert summary.origin is None and summary.status is RunStatus.SUCCESS


async def test_migration_from_v2_moves_blob_fields_to_columns(tmp_path):
    path = tmp_path / "cache.db"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO servers (key) VALUES (?)", (SERVER,))
    started, ended = T0.timestamp() + 3, T0.timestamp() + 30
    blob = {"m": "machine-1", "o": "api", "g": "A10G", "s": started, "e": ended, "q": started - 1}
    conn.execute(
        "INSERT INTO runs (server, id, status, deployment_id, workflow_id, created_at, "
        "updated_at, progress, live_status, inputs, data) VALUES (1, 'run-1', 'success', "
        "'dep-1', 'wf-1', ?, ?, 1.0, NULL, '{\"a\":1}', ?)",
        (T0.timestamp(), ended, json.dumps(blob)),
    )
    conn.execute("INSERT INTO runs (server, id, status, data) VALUES (1, 'run-2', 'running', '{}')")
    conn.commit()
    conn.close()
    cache = await Cache.open(path, SERVER)
    try:
        run = await cache.get_run("run-1")
        assert (run.gpu, run.origin, run.machine_id, run.inputs) == (
            "A10G",
            "api",
            "machine-1",
            {"a": 1},
        )
        assert run.started_at == T0 + timedelta(seconds=3)
        assert run.ended_at == T0 + timedelta(seconds=30)
        assert run.queued_at == T0 + timedelta(seconds=2)
        summaries = await cache.list_run_summaries()
        assert [s.id for s in summaries] == ["run-1", "run-2"]  # no creation time sorts last
        assert summaries[0] == RunSummary.from_run(run)
        assert summaries[1] == RunSummary("run-2", "running")
    finally:
        await cache.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    data = json.loads(conn.execute("SELECT data FROM runs WHERE id = 'run-1'").fetchone()[0])
    assert data == {"m": "machine-1", "q": started - 1}  # moved out of the blob
    conn.close()
