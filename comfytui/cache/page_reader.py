"""`PageReader`: page reads on the event loop's own thread, through a read-only connection.

A page of a listing (a few hundred rows by an index) reads in about as long as it takes to
hand the query to aiosqlite's thread and the rows back (the hop: two thread wake-ups and a
loop wake-up, 0.1-0.4 ms on a loaded 2-core machine, `make bench` cache_first_page). The Runs
view reads its page on every refresh and every watched change, so those reads skip the hop:
stdlib sqlite3 on the loop's thread, `mode=ro`. In WAL mode a reader sees every committed
write and never waits for a writer. Anything unusual (no file, not WAL, busy, another
thread) answers None and the caller reads through the shared connection as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from comfytui.errors import CacheError

BUSY_MS = 50  # the longest a page read may hold the loop for a lock (WAL: only on recovery)


class PageReader:
    """A lazily opened read-only connection to one cache file (None when it cannot serve)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._usable = path.name != ":memory:"

    def rows(self, sql: str, params: Sequence[Any]) -> list[Any] | None:
        """The rows, or None: read them through the shared connection instead."""
        conn = self._conn or self._open()
        if conn is None:
            return None
        try:
            return conn.execute(sql, params).fetchall()
        except (sqlite3.OperationalError, sqlite3.ProgrammingError):
            return None  # busy, locked, or called from another thread: the shared path
        except sqlite3.DatabaseError as exc:
            raise CacheError(f"cache read failed: {exc}") from None

    def _open(self) -> sqlite3.Connection | None:
        if not self._usable:
            return None
        self._usable = False  # one try: a file that cannot be opened so stays on the shared path
        try:
            conn = sqlite3.connect(
                self._path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None
            )
        except sqlite3.Error:
            return None
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            mode = conn.execute("PRAGMA journal_mode").fetchone()
        except sqlite3.Error:
            conn.close()
            return None
        if not mode or str(mode[0]).lower() != "wal":
            conn.close()  # a rollback journal: readers wait for writers
            return None
        self._usable = True
        self._conn = conn
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._usable = False
