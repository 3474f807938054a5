"""A cache file that cannot be used is moved aside and rebuilt; old schemas migrate forward."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from comfytui.cache import Cache
from comfytui.cache.schema import SCHEMA_VERSION
from comfytui.models import RunStatus, Workflow

FIXTURES = Path(__file__).parent / "fixtures"
SERVER = "http://127.0.0.1:9/api#user_old"


async def _filled(path: Path, n: int = 300) -> None:
    cache = await Cache.open(path, SERVER)
    await cache.upsert_workflows([Workflow(f"wf-{i}", f"name {i}" * 20) for i in range(n)])
    await cache.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database at all\n" * 200)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _directory(path: Path) -> None:
    path.mkdir()
    (path / "something").write_text("x")


async def _truncated(path: Path) -> None:
    await _filled(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


async def _damaged_pages(path: Path) -> None:
    await _filled(path)
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)
    path.write_bytes(bytes(data))


async def _newer(path: Path) -> None:
    await _filled(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "spoil",
    [_garbage, _directory, _truncated, _damaged_pages, _newer],
)
async def test_unusable_file_is_moved_aside_and_rebuilt(tmp_path, spoil):
    path = tmp_path / "cache.db"
    result = spoil(path)
    if result is not None:
        await result
    cache = await Cache.open(path, SERVER)
    try:
        assert cache.notice and "\n" not in cache.notice and "corrupt-" in cache.notice
        aside = list(tmp_path.glob("cache.db.corrupt-*"))
        assert len(aside) == 1 and not aside[0].name.endswith(("-wal", "-shm"))
        await cache.upsert_workflows([Workflow("wf-new", "fresh")])
        assert [w.id for w in await cache.list_workflows()] == ["wf-new"]
    finally:
        await cache.close()
    again = await Cache.open(path, SERVER)
    assert again.notice is None
    await again.close()


async def test_an_empty_file_is_rebuilt_in_place(tmp_path):
    """Nothing to keep, and it may be another process creating the cache: never moved aside."""
    path = tmp_path / "cache.db"
    _empty(path)
    cache = await Cache.open(path, SERVER)
    try:
        assert cache.notice and "empty" in cache.notice and "\n" not in cache.notice
        assert list(tmp_path.glob("cache.db.corrupt-*")) == []
        await cache.upsert_workflows([Workflow("wf", "kept")])
        assert len(await cache.list_workflows()) == 1
    finally:
        await cache.close()


async def test_processes_creating_the_cache_at_once_share_it(tmp_path):
    path = tmp_path / "cache.db"
    caches = await asyncio.gather(*(Cache.open(path, f"http://s/api#{n}") for n in range(4)))
    try:
        assert all(c.notice is None or "empty" in c.notice for c in caches)
        assert list(tmp_path.glob("cache.db.corrupt-*")) == []
        for n, cache in enumerate(caches):
            await cache.upsert_workflows([Workflow(f"wf-{n}", f"w{n}")])
        assert [len(await c.list_workflows()) for c in caches] == [1] * 4
    finally:
        for cache in caches:
            await cache.close()


async def test_unreadable_file_is_moved_aside(tmp_path, monkeypatch):
    path = tmp_path / "cache.db"
    await _filled(path, 3)
    real_open = Path.open

    def deny(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)  # root can read a 0o000 file, so deny it here
    cache = await Cache.open(path, SERVER)
    monkeypatch.undo()
    assert cache.notice and "cannot be read" in cache.notice
    assert len(list(tmp_path.glob("cache.db.corrupt-*"))) == 1
    await cache.close()


async def test_cannot_move_aside_falls_back_to_memory(tmp_path, monkeypatch):
    path = tmp_path / "cache.db"
    _garbage(path)
    import comfytui.cache.database as database

    def refuse(_path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(database, "move_aside", refuse)
    cache = await Cache.open(path, SERVER)
    assert cache.notice and "in-memory" in cache.notice
    await cache.upsert_workflows([Workflow("wf", "works")])
    assert len(await cache.list_workflows()) == 1
    await cache.close()


async def test_migration_from_version_1_fixture(tmp_path):
    path = tmp_path / "cache.db"
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "cache_v1.sql").read_text())
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    cache = await Cache.open(path, SERVER)
    try:
        assert cache.notice is None
        runs = await cache.list_runs()
        assert [r.id for r in runs] == ["run-2", "run-1"]
        assert runs[1].inputs == {"input_text": "a fox"} and runs[1].outputs[0].filename == "o.png"
        assert runs[0].progress is None and runs[0].status is RunStatus.RUNNING
        assert [r.id for r in await cache.unfinished_runs()] == ["run-2"]
        dep = await cache.get_deployment("dep-1")
        assert dep.inputs[0].input_id == "input_text" and dep.inputs[0].default == "a cat"
        assert (await cache.find_workflow_by_name("TXT2IMG")).id == "wf-1"
        assert (await cache.outputs_for_run("run-1"))[0].content_type is None
        assert await cache.last_synced("runs") is not None
        await cache.save_last_inputs("dep-1", {"input_text": "x"})  # table added by v2
    finally:
        await cache.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


async def test_a_locked_file_is_not_moved_aside(tmp_path, monkeypatch):
    path = tmp_path / "cache.db"
    await _filled(path, 3)
    import comfytui.cache.database as database

    real_connect = database._connect

    async def impatient(target):
        if str(target) == str(path):
            raise sqlite3.OperationalError("database is locked")  # busy past busy_timeout
        return await real_connect(target)

    monkeypatch.setattr(database, "_connect", impatient)
    cache = await Cache.open(path, SERVER)
    try:
        assert cache.notice and "busy" in cache.notice
        assert list(tmp_path.glob("cache.db.corrupt-*")) == []
    finally:
        await cache.close()


OPENER = """
import asyncio, sys
from pathlib import Path
from comfytui.cache import Cache
from comfytui.models import Workflow

async def main(path, n):
    cache = await Cache.open(Path(path), f"http://s/api#{n}")
    await cache.upsert_workflows([Workflow(f"wf-{n}", f"w{n}")])
    print(cache.notice or "ok", flush=True)
    await cache.close()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def test_processes_creating_a_new_cache_at_once(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "cache.db"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, str(path), str(n)], stdout=subprocess.PIPE, text=True
        )
        for n in range(5)
    ]
    outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert all(out == "ok" or "empty" in out for out in outputs), outputs
    assert list(tmp_path.glob("cache.db.corrupt-*")) == []
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM workflows").fetchone()[0] == 5
    conn.close()
