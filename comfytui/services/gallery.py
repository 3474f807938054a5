"""The gallery: every saved output, newest run first, filtered and paged from the cache.

Works offline (cache + data folder only). `fetch_missing` downloads the outputs of runs made
elsewhere (dashboard, API) on demand, through the client's capped download, which sends the key
only to the API origin, never to the storage host.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from comfytui.cache import Cache
from comfytui.cache.gallery import GalleryRow
from comfytui.errors import ComfyTuiError
from comfytui.models import Run, RunStatus
from comfytui.output_kinds import Viewer, viewer_for
from comfytui.services.thumbnails import Thumb, ThumbnailCache

log = logging.getLogger(__name__)
PAGE = 60


@dataclass(frozen=True, slots=True)
class GalleryFilter:
    """`deployment:NAME status:S sweep:ID words...` (words match the run inputs or file name)."""

    deployment: str | None = None
    status: str | None = None
    sweep: str | None = None
    text: str | None = None

    @classmethod
    def parse(cls, query: str) -> GalleryFilter:
        try:
            words = shlex.split(query)
        except ValueError:
            words = query.split()
        fields: dict[str, str] = {}
        rest: list[str] = []
        for word in words:
            key, sep, value = word.partition(":")
            if sep and key.lower() in ("deployment", "d", "status", "s", "sweep") and value:
                name = {"d": "deployment", "s": "status"}.get(key.lower(), key.lower())
                fields[name] = value
            elif word.lower() in {s.value for s in RunStatus} and "status" not in fields:
                fields["status"] = word.lower()
            else:
                rest.append(word)
        return cls(text=" ".join(rest) or None, **fields)

    @property
    def empty(self) -> bool:
        return not (self.deployment or self.status or self.sweep or self.text)


@dataclass(frozen=True, slots=True)
class GalleryItem:
    run_id: str
    path: Path
    url: str
    sha256: str
    size: int
    content_type: str | None
    deployment_id: str | None
    deployment: str  # name, or a short id when unknown
    status: RunStatus
    created_at: datetime | None
    viewer: Viewer = field(default=Viewer.FILE)

    @property
    def filename(self) -> str:
        return self.path.name


@dataclass(frozen=True, slots=True)
class GalleryPage:
    items: list[GalleryItem]
    offset: int
    total: int
    note: str | None = None  # one line (e.g. an unknown deployment in the filter)


class GalleryService:
    def __init__(self, cache: Cache, thumbnails: ThumbnailCache, runs: Any = None) -> None:
        self.cache = cache
        self.thumbnails = thumbnails
        self.runs = runs  # RunService: on-demand downloads (None: offline only)
        self._names: dict[str, str] = {}

    async def _deployment_names(self) -> dict[str, str]:
        deployments = await self.cache.list_deployments()
        self._names = {d.id: d.name for d in deployments}
        return self._names

    def _item(self, row: GalleryRow) -> GalleryItem:
        dep = row.deployment_id
        name = self._names.get(dep or "") or (dep[:8] if dep else "?")
        created = datetime.fromtimestamp(row.created_ts, UTC) if row.created_ts else None
        path = Path(row.path)
        return GalleryItem(
            row.run_id,
            path,
            row.url,
            row.sha256,
            row.size,
            row.content_type,
            dep,
            name,
            RunStatus.parse(row.status_value),
            created,
            viewer_for(path.name),
        )

    async def page(
        self, flt: GalleryFilter | None = None, offset: int = 0, limit: int = PAGE
    ) -> GalleryPage:
        flt = flt or GalleryFilter()
        names = await self._deployment_names()
        kwargs: dict[str, Any] = {"status": flt.status, "text": flt.text}
        note = None
        if flt.deployment:
            wanted = flt.deployment.lower()
            ids = [i for i, n in names.items() if wanted in n.lower() or i == flt.deployment]
            kwargs["deployment_ids"] = ids
            if not ids:
                note = f"no deployment matches {flt.deployment!r}"
        if flt.sweep:
            kwargs["run_ids"] = await self._sweep_runs(flt.sweep)
        total = await self.cache.count_gallery(**kwargs)
        offset = max(0, min(offset, max(0, total - 1)))
        rows = await self.cache.list_gallery(limit, offset, **kwargs)
        return GalleryPage([self._item(r) for r in rows], offset, total, note)

    async def _sweep_runs(self, sweep: str) -> list[str]:
        """Runs of a sweep: those whose origin or inputs name it (sweeps tag their runs)."""
        finder = getattr(self.cache, "sweep_run_ids", None)
        if finder is not None:
            return list(await finder(sweep))
        return []

    async def load_runs(self, run_ids: list[str]) -> dict[str, Run]:
        found = await asyncio.gather(*(self.cache.get_run(r) for r in run_ids))
        return {r.id: r for r in found if r is not None}

    def thumb(self, item: GalleryItem) -> Thumb:
        """The item's thumbnail, made and stored on first use (call in a worker thread)."""
        return self.thumbnails.get(item.sha256, item.path, item.filename)

    def cached_thumb(self, item: GalleryItem) -> Thumb | None:
        return self.thumbnails.cached(item.sha256, item.path, item.filename)

    async def fetch_missing(self, limit: int = 20) -> int:
        """Save the outputs of the newest successful runs that have none saved; returns how many
        runs gained files. Failures are logged (the gallery shows what it has)."""
        if self.runs is None:
            return 0
        gained = 0
        for run_id in await self.cache.runs_missing_outputs(limit):
            run = await self.cache.get_run(run_id)
            try:
                if run is not None and not run.outputs:
                    run = await self.runs.client.get_run(run_id)
                    await self.cache.upsert_run(run)
                if run is not None and run.outputs and await self.runs.save_outputs(run):
                    gained += 1
            except ComfyTuiError as exc:
                log.info("outputs of run %s not fetched: %s", run_id, exc)
        return gained


def differing_inputs(runs: list[Run | None]) -> list[dict[str, Any]]:
    """Per run, the inputs whose values are not the same in all of `runs` (sorted by name)."""
    present = [r.inputs if r is not None else {} for r in runs]
    keys = sorted({k for inputs in present for k in inputs})
    varying = [k for k in keys if len({repr(i.get(k)) for i in present}) > 1]
    return [{k: inputs.get(k) for k in varying} for inputs in present]
