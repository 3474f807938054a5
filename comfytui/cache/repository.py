"""`Cache`: the one object the services use to read and write the SQLite cache."""

from __future__ import annotations

from pathlib import Path

from comfytui.cache.catalog import CatalogStore
from comfytui.cache.database import open_database
from comfytui.cache.gallery import GalleryStore
from comfytui.cache.ids import IdStore
from comfytui.cache.run_logs import LogStore
from comfytui.cache.runs import RunStore
from comfytui.cache.schema import server_id
from comfytui.cache.sweeps import SweepStore


class Cache(CatalogStore, RunStore, GalleryStore, SweepStore, IdStore, LogStore):
    """The local cache of one server (API origin + account) in a file shared by profiles.

    Open with `await Cache.open(path, server_key)`; `notice` is set when the file had to be
    moved aside and rebuilt. Every query is scoped to `server_key`.
    """

    @classmethod
    async def open(cls, path: Path | str, server_key: str) -> Cache:
        path = Path(path)
        conn, notice = await open_database(path)
        try:
            sid = await server_id(conn, server_key)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path, server_key, sid, notice)

    async def __aenter__(self) -> Cache:
        return self
