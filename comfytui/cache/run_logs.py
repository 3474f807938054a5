"""Logs of runs started here, kept whole (the Logs view keeps only its last lines in memory).

`track_logs(run_id)` marks a run started on this machine; lines the log service sees for a
tracked run are appended in batches; `complete` is set once the server said the log ended.
A finished run's log replays from here when the server has none or cannot be reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from comfytui.cache import converters as cv
from comfytui.cache.base import CacheBase
from comfytui.models import LogLine

# issue 18: run logs, and the server's cold start seconds as a runs column (the Runs pane's
# optional cold-start column reads it without decoding the blob)
RUN_LOGS_MIGRATION = """
ALTER TABLE runs ADD COLUMN cold_start REAL;
CREATE TABLE log_runs (
    server INTEGER NOT NULL, run_id TEXT NOT NULL, lines INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (server, run_id));
CREATE TABLE run_logs (
    server INTEGER NOT NULL, run_id TEXT NOT NULL, seq INTEGER NOT NULL, ts REAL,
    level TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (server, run_id, seq));
"""


def _line(row: Any) -> LogLine:
    return LogLine(row[2], row[1], cv.from_ts(row[0]))


class LogStore(CacheBase):
    async def track_logs(self, run_id: str) -> None:
        """Keep this run's log (a run started here)."""
        await self._write(
            "INSERT OR IGNORE INTO log_runs (server, run_id) VALUES (?, ?)", (self._sid, run_id)
        )

    async def log_state(self, run_id: str) -> tuple[bool, bool, int]:
        """(tracked, complete, lines kept) of a run's log."""
        rows = await self._rows(
            "SELECT lines, complete FROM log_runs WHERE server = ? AND run_id = ?",
            (self._sid, run_id),
        )
        if not rows:
            return False, False, 0
        return True, bool(rows[0][1]), int(rows[0][0])

    async def append_logs(
        self,
        run_id: str,
        lines: Sequence[LogLine],
        *,
        restart: bool = False,
        complete: bool = False,
    ) -> None:
        """Append `lines` in one transaction; `restart` first drops what was kept (the server
        sends a log from its start on every connection)."""
        sid = self._sid
        async with self._transaction() as conn:
            if restart:
                await conn.execute(
                    "DELETE FROM run_logs WHERE server = ? AND run_id = ?", (sid, run_id)
                )
                await conn.execute(
                    "UPDATE log_runs SET lines = 0, complete = 0 WHERE server = ? AND run_id = ?",
                    (sid, run_id),
                )
            rows = list(
                await conn.execute_fetchall(
                    "SELECT lines FROM log_runs WHERE server = ? AND run_id = ?", (sid, run_id)
                )
            )
            start = int(rows[0][0]) if rows else 0
            await conn.executemany(
                "INSERT OR REPLACE INTO run_logs (server, run_id, seq, ts, level, text) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (sid, run_id, start + i, cv.to_ts(line.timestamp), line.level, line.text)
                    for i, line in enumerate(lines)
                ],
            )
            await conn.execute(
                "INSERT INTO log_runs (server, run_id, lines, complete) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (server, run_id) DO UPDATE SET lines = excluded.lines, "
                "complete = max(log_runs.complete, excluded.complete)",
                (sid, run_id, start + len(lines), int(complete)),
            )

    async def cached_logs(self, run_id: str, *, offset: int = 0, limit: int = -1) -> list[LogLine]:
        """Kept lines of a run's log, in order (`limit` -1: all)."""
        return await self._all(
            _line,
            "SELECT ts, level, text FROM run_logs WHERE server = ? AND run_id = ? "
            "ORDER BY seq LIMIT ? OFFSET ?",
            (self._sid, run_id, limit, offset),
        )
