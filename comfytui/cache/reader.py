"""`CacheReader`: the cache read synchronously, read-only (stdlib sqlite3, `mode=ro`), for the
offline listings of the CLI: no asyncio, no aiosqlite, no event loop, nothing written.

It serves only a healthy file at the current schema that already knows the server and holds
no unsettled planned run. Anything else (no file, an empty/damaged/foreign/older/newer file,
a busy lock, a server never seen, a sweep to recover) raises `ReaderUnavailable`: the caller
then takes the full `Cache` path, which rebuilds, migrates, recovers and words the notices
exactly as before. The statements and converters are `cache/queries.py`'s, shared with `Cache`.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from comfytui.cache import converters as cv
from comfytui.cache import queries as q
from comfytui.cache.header import UnusableFile, check_header
from comfytui.cache.schema import SCHEMA_VERSION, TABLES


class ReaderUnavailable(Exception):
    """This file needs the full cache path (open, migrate, rebuild, recover)."""


class CacheReader:
    """One server's rows of the cache file, read-only. Use `CacheReader.open(path, key)`."""

    def __init__(self, conn: sqlite3.Connection, sid: int) -> None:
        self._conn = conn
        self._sid = sid

    @classmethod
    def open(cls, path: Path | str, server_key: str) -> CacheReader:
        path = Path(path)
        if not path.is_file():
            raise ReaderUnavailable("no cache file")
        try:
            check_header(path)
        except UnusableFile as exc:
            raise ReaderUnavailable(str(exc)) from None
        try:
            conn = sqlite3.connect(
                path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise ReaderUnavailable(str(exc)) from None
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                raise ReaderUnavailable(f"schema version {version}, not {SCHEMA_VERSION}")
            for table in TABLES:  # as `Cache` does: a damaged file fails here
                for sql in q.probe_sql(table):
                    conn.execute(sql).fetchall()
            row = conn.execute(q.SERVER_ID, (server_key,)).fetchone()
            if row is None:
                raise ReaderUnavailable("server not in the cache yet")
            sid = int(row[0])
            if conn.execute(q.UNSETTLED, (sid, *q.UNSETTLED_PARAMS)).fetchone():
                raise ReaderUnavailable("a planned run to recover")
        except (sqlite3.Error, ReaderUnavailable) as exc:
            conn.close()
            if isinstance(exc, ReaderUnavailable):
                raise
            raise ReaderUnavailable(str(exc)) from None
        return cls(conn, sid)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> CacheReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, sql: str, params: Any) -> list[Any]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise ReaderUnavailable(str(exc)) from None

    def listing(self, kind: str, search: str | None = None) -> list[Any]:
        """`Cache.list_workflows/list_deployments/list_machines`, same statement and order."""
        table, columns, convert, order = q.LISTINGS[kind]
        sql, params = q.select_sql(table, columns, self._sid, q.listing_where(search), order)
        return [convert(row) for row in self._rows(sql, params)]

    def list_runs(self, limit: int = 200, offset: int = 0) -> list[Any]:
        """`Cache.list_runs(limit, offset)`: a page of runs, newest first."""
        where, params = q.run_filter(self._sid, None, None, None)
        sql = f"{q.SELECT_RUNS} WHERE {where} {q.RUN_PAGE}"
        return [cv.run_from_row(row) for row in self._rows(sql, (*params, limit, offset))]

    def last_synced(self, entity: str) -> datetime | None:
        rows = self._rows(q.LAST_SYNCED, (self._sid, entity))
        return cv.from_ts(rows[0][0]) if rows else None
