"""`cache.reader.CacheReader` (sync, read-only) gives what the async `Cache` gives on the same
file, and refuses (so the caller takes the full path) every file that path would rebuild,
migrate or recover."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime

import pytest

from benchmarks.bench_cache import make_runs
from comfytui.cache import Cache
from comfytui.cache.reader import CacheReader, ReaderUnavailable
from comfytui.models import Deployment, Machine, Workflow

KEY = "https://api.example.test#key:0123"
WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


async def _seed(path) -> dict:
    async with await Cache.open(path, KEY) as cache:
        await cache.upsert_deployments(
            [
                Deployment(id=f"d{n}", name=("b", "A", "a")[n % 3], environment=env)
                for n, env in enumerate(("staging", "production", "preview", "production"))
            ]
        )
        await cache.upsert_workflows([Workflow(id="w1", name="zeta"), Workflow(id="w2", name="Al")])
        await cache.upsert_machines([Machine(id="m1", name="gpu box", status="ready")])
        await cache.upsert_runs(make_runs(30))
        await cache.set_synced("deployments", WHEN)
        return {
            "deployments": await cache.list_deployments(),
            "workflows": await cache.list_workflows(),
            "machines": await cache.list_machines(),
            "runs": await cache.list_runs(10),
            "synced": await cache.last_synced("deployments"),
        }


def test_reader_matches_the_async_cache(tmp_path):
    path = tmp_path / "cache.sqlite3"
    expected = asyncio.run(_seed(path))
    with CacheReader.open(path, KEY) as reader:
        for kind in ("deployments", "workflows", "machines"):
            assert reader.listing(kind) == expected[kind]
            assert reader.listing(kind)  # not vacuous
        assert reader.list_runs(10) == expected["runs"]
        assert len(expected["runs"]) == 10
        assert reader.last_synced("deployments") == WHEN == expected["synced"]
        assert reader.last_synced("runs") is None


def test_reader_writes_nothing(tmp_path):
    path = tmp_path / "cache.sqlite3"
    asyncio.run(_seed(path))
    with (
        CacheReader.open(path, KEY) as reader,
        pytest.raises(sqlite3.OperationalError, match="readonly"),
    ):
        reader._conn.execute("DELETE FROM deployments")


@pytest.mark.parametrize("case", ["missing", "empty", "foreign", "newer", "older", "server"])
def test_reader_refuses_what_the_full_path_must_handle(tmp_path, case):
    path = tmp_path / "cache.sqlite3"
    key = KEY
    if case == "empty":
        path.write_bytes(b"")
    elif case == "foreign":
        path.write_bytes(b"not a database at all" * 10)
    elif case != "missing":
        asyncio.run(_seed(path))
        conn = sqlite3.connect(path)
        if case in ("newer", "older"):
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute(f"PRAGMA user_version = {version + 1 if case == 'newer' else 1}")
        conn.close()
        key = "https://other.example.test#key:9" if case == "server" else KEY
    with pytest.raises(ReaderUnavailable):
        CacheReader.open(path, key)
