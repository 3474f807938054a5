"""Id prefixes: the cached ids of one kind that start with what the user typed.

Ids are compared case-insensitively (UUIDs are stored lower-case); the lookup is a range scan
on the `(server, id)` unique index, so it stays instant with many thousands of runs.
"""

from __future__ import annotations

from typing import NamedTuple

from comfytui.cache.base import CacheBase

# kind -> (table, label columns shown when a prefix is ambiguous, newest first order)
_TABLES = {
    "run": ("runs", "status, deployment_id", "created_at DESC"),
    "deployment": ("deployments", "name, environment", "name"),
    "workflow": ("workflows", "name, ''", "name"),
    "machine": ("machines", "name, status", "name"),
}


class IdMatch(NamedTuple):
    """One cached item whose id starts with a prefix: its id and two words that describe it."""

    kind: str
    id: str
    label: str
    detail: str


class IdStore(CacheBase):
    async def ids_with_prefix(self, kind: str, prefix: str, limit: int = 10) -> list[IdMatch]:
        """Up to `limit` cached `kind` items ("run", "deployment", "workflow", "machine") whose
        id starts with `prefix` (case-insensitive)."""
        table, labels, order = _TABLES[kind]
        low = prefix.lower()
        if not low:
            return []
        high = low[:-1] + chr(ord(low[-1]) + 1)
        rows = await self._rows(
            f"SELECT id, {labels} FROM {table} WHERE server = ? AND id >= ? AND id < ? "
            f"ORDER BY {order} LIMIT ?",
            (self._sid, low, high, limit),
        )
        return [IdMatch(kind, row[0], str(row[1] or ""), str(row[2] or "")) for row in rows]
