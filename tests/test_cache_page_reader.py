"""Page reads on the loop's thread (`cache/page_reader.py`): same rows, every commit seen."""

from __future__ import annotations

import threading

from test_cache_summaries import SERVER, _run

from comfytui.cache import Cache
from comfytui.models import RunStatus


async def test_pages_read_on_the_loop_thread_see_every_commit(tmp_path):
    path = tmp_path / "cache.db"
    cache = await Cache.open(path, SERVER)
    other = await Cache.open(path, SERVER)  # another connection: another process, say
    try:
        await cache.upsert_runs([_run(n) for n in range(30)])
        first = await cache.list_runs(limit=10)
        assert [r.id for r in first] == [f"run-{n:04d}" for n in range(29, 19, -1)]
        assert cache._pages._conn is not None  # served by the page reader, not the hop
        await other.upsert_run(_run(30))
        await other.upsert_run(_run(29, status=RunStatus.CANCELLED, raw_status="cancelled"))
        page = await cache.list_runs(limit=2)
        assert [r.id for r in page] == ["run-0030", "run-0029"]
        assert page[1].status is RunStatus.CANCELLED  # the changed row, not the memo's copy
        summaries = await cache.list_run_summaries(limit=2)
        assert [s.id for s in summaries] == ["run-0030", "run-0029"]
    finally:
        await other.close()
        await cache.close()


async def test_a_file_not_in_wal_mode_reads_through_the_shared_connection(tmp_path):
    path = tmp_path / "cache.db"
    cache = await Cache.open(path, SERVER)
    await cache.upsert_runs([_run(n) for n in range(5)])
    await cache._conn.execute("PRAGMA journal_mode = DELETE")
    try:
        assert len(await cache.list_runs(limit=10)) == 5
        assert cache._pages._conn is None  # a rollback journal: readers would wait for writers
    finally:
        await cache.close()


async def test_a_page_read_from_another_thread_falls_back(tmp_path):
    path = tmp_path / "cache.db"
    cache = await Cache.open(path, SERVER)
    await cache.upsert_runs([_run(n) for n in range(5)])
    try:
        assert len(await cache.list_runs(limit=10)) == 5  # the reader opened on this thread
        answers: list[object] = []
        worker = threading.Thread(target=lambda: answers.append(cache._pages.rows("SELECT 1", ())))
        worker.start()
        worker.join()
        assert answers == [None]  # sqlite3's same-thread check: the shared path instead
    finally:
        await cache.close()
