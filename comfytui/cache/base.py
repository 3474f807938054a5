"""The connection every store method shares: server scoping, one write lock, transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from comfytui.cache import converters as cv
from comfytui.cache.page_reader import PageReader
from comfytui.errors import CacheError

if TYPE_CHECKING:
    import aiosqlite

T = TypeVar("T")


class CacheBase:
    """Holds the connection and the server key; subclasses add the queries."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: Path,
        server_key: str,
        sid: int,
        notice: str | None = None,
    ) -> None:
        import asyncio  # late: the sync reader imports this module's neighbours, not asyncio

        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path
        self.server_key = server_key
        self._sid = sid  # the server's integer id: what the `server` columns hold
        self.notice = notice
        self._run_memo: dict[str, tuple[Any, Any]] = {}  # id -> (row, Run): see RunStore
        self._pages = PageReader(path)

    async def close(self) -> None:
        self._pages.close()
        await self._conn.close()

    async def __aenter__(self) -> CacheBase:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- helpers ----------------------------------------------------------------------------

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return list(await self._conn.execute_fetchall(sql, params))
        except sqlite3.DatabaseError as exc:
            raise CacheError(f"cache read failed: {exc}") from None

    async def _page_rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """A bounded, indexed read (a listing page, one row by key): on the loop's thread when
        it can (`PageReader`)."""
        rows = self._pages.rows(sql, params)
        return rows if rows is not None else await self._rows(sql, params)

    async def _all(
        self, convert: Callable[[Any], T], sql: str, params: Sequence[Any] = ()
    ) -> list[T]:
        return [convert(row) for row in await self._rows(sql, params)]

    async def _one(
        self, convert: Callable[[Any], T], sql: str, params: Sequence[Any] = ()
    ) -> T | None:
        rows = await self._rows(sql, params)
        return convert(rows[0]) if rows else None

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction at a time; rolled back on any error."""
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    await self._conn.rollback()
                    raise
                await self._conn.commit()
            except sqlite3.DatabaseError as exc:
                raise CacheError(f"cache write failed: {exc}") from None

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement, its own transaction (the connection autocommits): one trip to the
        SQLite thread instead of BEGIN, the statement and COMMIT. Returns the rows changed."""
        async with self._lock:
            try:
                cursor = await self._conn.execute(sql, params)
            except sqlite3.DatabaseError as exc:
                raise CacheError(f"cache write failed: {exc}") from None
            return cursor.rowcount

    async def _write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self._transaction() as conn:
            await conn.executemany(sql, rows)

    def _scoped(self, rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        server = self._sid
        return [(server, *row) for row in rows]

    async def forget_server(self) -> None:
        """Drop every row of this server (`comfytui demo reset`); other servers keep theirs."""
        from comfytui.cache.schema import TABLES

        async with self._transaction() as conn:
            for table in TABLES:
                if table != "servers":
                    await conn.execute(f"DELETE FROM {table} WHERE server = ?", (self._sid,))

    # --- sync metadata ----------------------------------------------------------------------

    async def set_synced(self, entity: str, when: datetime) -> None:
        await self._write(
            "INSERT INTO sync_state (server, entity, synced_at) VALUES (?, ?, ?) "
            "ON CONFLICT (server, entity) DO UPDATE SET synced_at = excluded.synced_at",
            (self._sid, entity, cv.to_ts(when)),
        )

    async def last_synced(self, entity: str) -> datetime | None:
        from comfytui.cache.queries import LAST_SYNCED

        rows = await self._rows(LAST_SYNCED, (self._sid, entity))
        return cv.from_ts(rows[0][0]) if rows else None
