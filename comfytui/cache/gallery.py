"""The gallery's read side: saved outputs joined with their runs, newest run first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from comfytui.cache.base import CacheBase
from comfytui.models import RunStatus


class GalleryRow(NamedTuple):
    """One saved output with the run fields a gallery card shows (times are epoch seconds)."""

    run_id: str
    path: str
    url: str
    sha256: str
    size: int
    content_type: str | None
    deployment_id: str | None
    status_value: str
    created_ts: float | None


_SELECT = (
    "SELECT o.run_id, o.path, o.url, o.sha256, o.size, o.content_type, r.deployment_id, "
    "r.status, r.created_at FROM saved_outputs o JOIN runs r ON r.server = o.server "
    "AND r.id = o.run_id"
)
_ORDER = "ORDER BY r.created_at DESC, r.rowid DESC, o.rowid LIMIT ? OFFSET ?"


class GalleryStore(CacheBase):
    def _gallery_filter(
        self,
        deployment_ids: Sequence[str] | None,
        status: str | None,
        text: str | None,
        run_ids: Sequence[str] | None,
    ) -> tuple[str, list[Any]]:
        clauses, params = ["o.server = ?"], [self._sid]
        if deployment_ids is not None:
            clauses.append(f"r.deployment_id IN ({', '.join('?' * len(deployment_ids))})")
            params.extend(deployment_ids)
        if run_ids is not None:
            clauses.append(f"r.id IN ({', '.join('?' * len(run_ids))})")
            params.extend(run_ids)
        if status:
            clauses.append("r.status = ?")
            params.append(RunStatus.parse(status).value)
        if text:
            clauses.append("(r.inputs LIKE ? ESCAPE '\\' OR o.path LIKE ? ESCAPE '\\')")
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.extend((pattern + "%", pattern + "%"))
        return " AND ".join(clauses), params

    async def list_gallery(
        self,
        limit: int = 60,
        offset: int = 0,
        *,
        deployment_ids: Sequence[str] | None = None,
        status: str | None = None,
        text: str | None = None,
        run_ids: Sequence[str] | None = None,
    ) -> list[GalleryRow]:
        where, params = self._gallery_filter(deployment_ids, status, text, run_ids)
        rows = await self._rows(f"{_SELECT} WHERE {where} {_ORDER}", (*params, limit, offset))
        return [GalleryRow(*row) for row in rows]

    async def count_gallery(
        self,
        *,
        deployment_ids: Sequence[str] | None = None,
        status: str | None = None,
        text: str | None = None,
        run_ids: Sequence[str] | None = None,
    ) -> int:
        where, params = self._gallery_filter(deployment_ids, status, text, run_ids)
        sql = "SELECT count(*) FROM saved_outputs o JOIN runs r ON r.server = o.server AND "
        rows = await self._rows(f"{sql}r.id = o.run_id WHERE {where}", params)
        return int(rows[0][0])

    async def runs_missing_outputs(self, limit: int = 20) -> list[str]:
        """Newest successful runs with no saved output (made elsewhere, or not saved yet)."""
        rows = await self._rows(
            "SELECT r.id FROM runs r WHERE r.server = ? AND r.status = 'success' AND NOT EXISTS "
            "(SELECT 1 FROM saved_outputs o WHERE o.server = r.server AND o.run_id = r.id) "
            "ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?",
            (self._sid, limit),
        )
        return [str(row[0]) for row in rows]
