"""Which unfinished runs a restart follows again: recent ones, a bounded number, newest kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from comfytui.cache import Cache
from comfytui.models import Run, RunStatus
from comfytui.services import run_catalog
from comfytui.services.run_catalog import resumable_runs


def _run(run_id: str, status: RunStatus, created_at: datetime | None) -> Run:
    return Run(id=run_id, status=status, raw_status=status.value, created_at=created_at)


async def test_old_finished_and_surplus_runs_are_not_resumed(tmp_path, monkeypatch):
    now = datetime.now(UTC)
    monkeypatch.setattr(run_catalog, "RESUME_LIMIT", 3)
    cache = await Cache.open(tmp_path / "cache.db", "http://a/api#u1")
    try:
        await cache.upsert_runs(
            [
                _run("ancient", RunStatus.RUNNING, now - timedelta(days=30)),
                _run("done", RunStatus.SUCCESS, now - timedelta(minutes=1)),
                _run("no-time", RunStatus.QUEUED, None),
                *(
                    _run(f"recent-{i}", RunStatus.RUNNING, now - timedelta(minutes=10 - i))
                    for i in range(4)
                ),
            ]
        )
        resumed = [r.id for r in await resumable_runs(cache)]
        # the three newest unfinished runs, oldest first; "no-time" has no known creation time
        # and sorts as oldest, so the cap drops it together with recent-0 and recent-1
        assert resumed == ["recent-1", "recent-2", "recent-3"]
        monkeypatch.setattr(run_catalog, "RESUME_LIMIT", 100)
        resumed = {r.id for r in await resumable_runs(cache)}
        assert resumed == {"no-time", "recent-0", "recent-1", "recent-2", "recent-3"}
    finally:
        await cache.close()
