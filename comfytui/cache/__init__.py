"""The SQLite cache (the only code that speaks SQL): `Cache.open(path, server_key)`."""

from __future__ import annotations

from comfytui.cache.repository import Cache

__all__ = ["Cache"]
