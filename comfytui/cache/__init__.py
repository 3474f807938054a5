"""The SQLite cache (the only code that speaks SQL): `Cache.open(path, server_key)`, and the
sync read-only `cache.reader.CacheReader` (no asyncio, no aiosqlite)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comfytui.cache.repository import Cache

__all__ = ["Cache"]


def __getattr__(name: str) -> Any:
    """`Cache` (aiosqlite, asyncio) loaded on first use: the sync reader needs neither."""
    if name == "Cache":
        from comfytui.cache.repository import Cache

        return Cache
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
