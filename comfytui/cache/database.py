"""Opening the cache file: WAL, migrations, and recovery from a file that cannot be used.

A corrupt, truncated, unreadable or newer-schema file, or a directory in its place, is moved
aside as `<name>.corrupt-<timestamp>` (with its -wal/-shm companions) and a new cache is built;
the caller gets a one-line notice. When even that fails, the cache lives in memory. An empty
file holds nothing to keep and may be another process creating the cache right now: it is
rebuilt in place (a notice, nothing moved). "Locked"/"busy" is contention, never corruption:
nothing is moved then.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from comfytui.cache.header import _COMPANIONS, EmptyFile, UnusableFile, check_header
from comfytui.cache.queries import probe_sql
from comfytui.cache.schema import TABLES, NewerSchemaError, migrate

log = logging.getLogger(__name__)


async def _connect(path: Path | str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        await conn.execute("PRAGMA busy_timeout = 5000")
        if str(path) != ":memory:":
            await _use_wal(conn)
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA temp_store = MEMORY")
        await migrate(conn)
        await _probe(conn)
    except BaseException:
        await conn.close()
        raise
    return conn


async def _use_wal(conn: aiosqlite.Connection) -> None:
    """Switch to WAL (persistent in the file). On a new file that others are opening too, the
    switch can answer "locked" at once (no busy wait): retry briefly; one of them succeeds."""
    for attempt in range(40):
        try:
            rows = list(await conn.execute_fetchall("PRAGMA journal_mode = WAL"))
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or attempt == 39:
                raise
            await asyncio.sleep(0.02 + 0.01 * attempt)
            continue
        if rows and str(rows[0][0]).lower() != "wal":
            log.debug("journal_mode stayed %s", rows[0][0])
        return


async def _probe(conn: aiosqlite.Connection) -> None:
    """Touch the first and last page of every table: a damaged file fails here, not later."""
    for table in TABLES:
        for sql in probe_sql(table):
            await conn.execute_fetchall(sql)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnusableFile | NewerSchemaError):
        return str(exc)
    if isinstance(exc, sqlite3.DatabaseError):
        return f"it is damaged ({exc})"
    if isinstance(exc, OSError):
        return f"it cannot be used ({exc.strerror or exc})"
    return f"it cannot be used ({exc})"


def _busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def move_aside(path: Path) -> Path:
    """Rename the file (or directory) and its companions to `<name>.corrupt-<timestamp>`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists() or target.is_symlink():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    for suffix in _COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            try:
                os.replace(companion, target.with_name(target.name + suffix))
            except OSError:
                log.warning("could not move %s aside", companion)
    return target


async def open_database(path: Path) -> tuple[aiosqlite.Connection, str | None]:
    """Open (creating or migrating) the cache at `path`; returns the connection and a notice."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            check_header(path)
        except EmptyFile as exc:
            return await _connect(path), f"Cache {path.name} {exc}; rebuilt it."
        return await _connect(path), None
    except (UnusableFile, NewerSchemaError, sqlite3.DatabaseError, OSError) as exc:
        if _busy(exc):  # another process holds it (e.g. migrating): healthy, just not now
            return await _connect(":memory:"), (
                f"Cache {path.name} is busy (another comfytui is writing it); "
                "using a temporary in-memory cache this session."
            )
        reason = _reason(exc)
    try:
        moved = move_aside(path)
        conn = await _connect(path)
    except (sqlite3.DatabaseError, OSError, UnusableFile, NewerSchemaError) as exc:
        log.warning("cache at %s unusable (%s); keeping it in memory", path, exc)
        conn = await _connect(":memory:")
        return conn, f"Cache {path} {reason}; using a temporary in-memory cache this session."
    notice = f"Cache {path.name} was unusable ({reason}); moved to {moved.name} and rebuilt."
    log.warning(notice)
    return conn, notice
