"""Runs, their saved output files and the last inputs per deployment."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from comfytui.cache import converters as cv
from comfytui.cache import queries as q
from comfytui.cache.base import CacheBase
from comfytui.models import TERMINAL_STATUSES, Run, RunStatus, RunSummary, SavedOutput

# What the server sends later may lack what we wrote at start (inputs, deployment): keep ours.
_UPSERT_RUN = (
    "INSERT INTO runs (server, " + cv.RUN_COLUMNS + ") VALUES (" + ", ".join("?" * 16) + ") "
    "ON CONFLICT (server, id) DO UPDATE SET status = excluded.status, "
    "deployment_id = coalesce(excluded.deployment_id, runs.deployment_id), "
    "workflow_id = coalesce(excluded.workflow_id, runs.workflow_id), "
    "created_at = coalesce(excluded.created_at, runs.created_at), "
    "updated_at = excluded.updated_at, progress = excluded.progress, "
    "live_status = excluded.live_status, inputs = coalesce(excluded.inputs, runs.inputs), "
    "data = excluded.data, started_at = excluded.started_at, ended_at = excluded.ended_at, "
    "gpu = excluded.gpu, origin = excluded.origin, "
    "cold_start = coalesce(excluded.cold_start, runs.cold_start)"
)
_SELECT_RUNS = q.SELECT_RUNS
_SELECT_SUMMARIES = f"SELECT {cv.RUN_SUMMARY_COLUMNS} FROM runs"
_PAGE = q.RUN_PAGE
_UNFINISHED = tuple(s.value for s in RunStatus if s not in TERMINAL_STATUSES)

StatusFilter = RunStatus | str | Collection[RunStatus | str] | None
_MEMO_SIZE = 4096
_CHUNK = 1000


async def _executemany(conn: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
    await conn.executemany(sql, rows)


class RunStore(CacheBase):
    def _run(self, row: Any) -> Run:
        """Convert a row, reusing the Run built from an identical row before.

        The Runs view re-reads its page on every refresh and every watched change; rows that did
        not change are not decoded again (identity memo, bounded).
        """
        memo = self._run_memo
        hit = memo.get(row[0])
        if hit is not None and hit[0] == row:
            return hit[1]
        run = cv.run_from_row(row)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[row[0]] = (row, run)
        return run

    async def upsert_runs(self, runs: Iterable[Run]) -> None:
        """Many runs in one transaction, pipelined: while SQLite inserts one chunk (in its
        thread, without the GIL) the next chunk is converted to rows here."""
        items = list(runs)
        async with self._transaction() as conn:
            pending: asyncio.Future[Any] | None = None
            try:
                for start in range(0, len(items), _CHUNK):
                    rows = self._scoped(cv.run_row(r) for r in items[start : start + _CHUNK])
                    if pending is not None:
                        await pending
                    pending = asyncio.ensure_future(_executemany(conn, _UPSERT_RUN, rows))
                    await asyncio.sleep(0)  # let the task hand the chunk to the SQLite thread
            finally:
                if pending is not None:
                    await pending

    async def upsert_run(self, run: Run) -> None:
        await self._write(_UPSERT_RUN, (self._sid, *cv.run_row(run)))

    def _run_filter(
        self, deployment_id: str | None, status: StatusFilter, search: str | None
    ) -> tuple[str, list[Any]]:
        return q.run_filter(self._sid, deployment_id, status, search)

    async def list_runs(
        self,
        limit: int = 200,
        offset: int = 0,
        deployment_id: str | None = None,
        status: StatusFilter = None,
        search: str | None = None,
    ) -> list[Run]:
        """A page of runs, newest first (indexed; fast on 100,000 runs)."""
        where, params = self._run_filter(deployment_id, status, search)
        rows = await self._page_rows(
            f"{_SELECT_RUNS} WHERE {where} {_PAGE}", (*params, limit, offset)
        )
        return [self._run(row) for row in rows]

    async def list_run_summaries(
        self,
        limit: int = 200,
        offset: int = 0,
        deployment_id: str | None = None,
        status: StatusFilter = None,
        search: str | None = None,
    ) -> list[RunSummary]:
        """The same page as `list_runs`, as `RunSummary` rows (what run lists show): only the
        listed columns are read and nothing is decoded in Python."""
        where, params = self._run_filter(deployment_id, status, search)
        rows = await self._page_rows(
            f"{_SELECT_SUMMARIES} WHERE {where} {_PAGE}", (*params, limit, offset)
        )
        return cv.summaries_from_rows(rows)

    async def count_runs(
        self,
        deployment_id: str | None = None,
        status: StatusFilter = None,
        search: str | None = None,
    ) -> int:
        where, params = self._run_filter(deployment_id, status, search)
        rows = await self._rows(f"SELECT count(*) FROM runs WHERE {where}", params)
        return int(rows[0][0])

    async def get_run(self, run_id: str) -> Run | None:
        return await self._one(
            self._run,
            f"{_SELECT_RUNS} WHERE server = ? AND id = ?",
            (self._sid, run_id),
        )

    async def unfinished_runs(
        self, *, since: datetime | None = None, limit: int | None = None
    ) -> list[Run]:
        """Runs the cache holds in a non-terminal state (to resume watching), oldest first.

        `since` drops runs created earlier (a run with no known creation time is kept);
        `limit` keeps the newest ones.
        """
        marks = ", ".join("?" * len(_UNFINISHED))
        where = f"server = ? AND status IN ({marks})"
        params: list[object] = [self._sid, *_UNFINISHED]
        if since is not None:
            where += " AND (created_at IS NULL OR created_at >= ?)"
            params.append(cv.to_ts(since))
        params.append(-1 if limit is None else limit)
        newest = await self._all(
            self._run,
            f"{_SELECT_RUNS} WHERE {where} ORDER BY created_at DESC, rowid DESC LIMIT ?",
            tuple(params),
        )
        return newest[::-1]

    # --- saved output files ---------------------------------------------------------------------

    async def record_output(self, output: SavedOutput) -> None:
        await self._write(
            f"INSERT INTO saved_outputs (server, {cv.OUTPUT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (server, run_id, path) DO UPDATE SET url = excluded.url, "
            "sha256 = excluded.sha256, size = excluded.size, content_type = excluded.content_type",
            (self._sid, *cv.output_row(output)),
        )

    async def outputs_for_run(self, run_id: str) -> list[SavedOutput]:
        return await self._all(
            cv.output_from_row,
            f"SELECT {cv.OUTPUT_COLUMNS} FROM saved_outputs WHERE server = ? AND run_id = ? "
            "ORDER BY rowid",
            (self._sid, run_id),
        )

    async def find_output_by_sha(self, run_id: str, sha256: str) -> SavedOutput | None:
        return await self._one(
            cv.output_from_row,
            f"SELECT {cv.OUTPUT_COLUMNS} FROM saved_outputs "
            "WHERE server = ? AND run_id = ? AND sha256 = ? LIMIT 1",
            (self._sid, run_id, sha256),
        )

    # --- last inputs per deployment ---------------------------------------------------------------

    async def save_last_inputs(self, deployment_id: str, values: dict[str, Any]) -> None:
        await self._write(
            "INSERT INTO last_inputs (server, deployment_id, inputs, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (server, deployment_id) DO UPDATE SET inputs = excluded.inputs, "
            "saved_at = excluded.saved_at",
            (self._sid, deployment_id, cv.dumps(values), cv.to_ts(datetime.now(UTC))),
        )

    async def last_inputs(self, deployment_id: str) -> dict[str, Any] | None:
        rows = await self._rows(
            "SELECT inputs FROM last_inputs WHERE server = ? AND deployment_id = ?",
            (self._sid, deployment_id),
        )
        return cv.loads(rows[0][0]) if rows else None
