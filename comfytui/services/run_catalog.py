"""Run listings: pages come from the cache; a refresh merges every deployment's runs into it.

The v2 API has no global run list, so refreshing runs asks each deployment for its recent runs
(`list_deployment_runs`), and re-reads the unfinished runs the cache holds itself (started here,
possibly on a server that lists nothing). The Runs view then pages the cache, newest first.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from comfytui.cache import Cache
from comfytui.errors import NotFoundError, NotSupportedError
from comfytui.models import Run, RunStatus, RunSummary
from comfytui.services.base import UNREACHABLE, CatalogBase
from comfytui.services.listing import Listing

RUNS_PER_DEPLOYMENT = 50
CONCURRENCY = 4
RESUME_WINDOW = timedelta(hours=48)
RESUME_LIMIT = 100


async def resumable_runs(cache: Cache) -> list[Run]:
    """Unfinished runs worth following again: created within RESUME_WINDOW (the server times a
    run out after 24 h) and at most RESUME_LIMIT of them, newest kept, oldest first.

    The bound matters: a cache filled from the server can hold thousands of runs that other
    clients left "running"; following each would mean thousands of pollers.
    """
    since = datetime.now(UTC) - RESUME_WINDOW
    return await cache.unfinished_runs(since=since, limit=RESUME_LIMIT)


def merge_run(new: Run, old: Run | None) -> Run:
    """The server's snapshot plus what only we know (inputs, deployment, creation time)."""
    changes: dict[str, Any] = {}
    if new.is_terminal and new.live_status:
        changes["live_status"] = None  # an ended run shows no live status
    if old is None:
        return replace(new, **changes) if changes else new
    if not new.inputs and old.inputs:
        changes["inputs"] = old.inputs
    for name in ("deployment_id", "workflow_id", "created_at"):
        if not getattr(new, name) and getattr(old, name):
            changes[name] = getattr(old, name)
    return replace(new, **changes) if changes else new


def not_found(run: Run, reason: str) -> Run:
    """`run` as the server's 404 left it: unknown to the server, ended, kept in the cache."""
    return replace(
        run,
        status=RunStatus.NOT_FOUND,
        live_status=None,
        progress=None,
        ended_at=run.ended_at or datetime.now(UTC),  # when we learned it: the true end is unknown
        error=run.error or f"unknown to the server: {reason}",
    )


class RunCatalog(CatalogBase):
    async def cached_runs(
        self,
        limit: int = 200,
        offset: int = 0,
        search: str | None = None,
        deployment_id: str | None = None,
        status: Any = None,
    ) -> Listing[Run]:
        items = await self.cache.list_runs(limit, offset, deployment_id, status, search)
        return await self._cached("runs", items)

    async def cached_run_summaries(
        self,
        limit: int = 200,
        offset: int = 0,
        search: str | None = None,
        deployment_id: str | None = None,
        status: Any = None,
    ) -> Listing[RunSummary]:
        """The page `cached_runs` gives, as `RunSummary` rows (what the Runs table shows)."""
        items = await self.cache.list_run_summaries(limit, offset, deployment_id, status, search)
        return await self._cached("runs", items)

    async def count_cached_runs(
        self, search: str | None = None, deployment_id: str | None = None, status: Any = None
    ) -> int:
        return await self.cache.count_runs(deployment_id, status, search)

    async def refresh_runs(
        self, limit: int | None = None, deployment_id: str | None = None
    ) -> Listing[Run]:
        """Fetch recent runs of every deployment (or one) into the cache; return the first page."""

        async def read() -> list[Run]:
            return await self.cache.list_runs(limit or 200, 0, deployment_id)

        return await self._refresh(
            "runs", lambda: self._fetch_runs(deployment_id), self.cache.upsert_runs, read
        )

    async def _fetch_runs(self, deployment_id: str | None) -> list[Run]:
        unsupported: list[NotSupportedError] = []
        if deployment_id:
            ids = [deployment_id]
        else:
            deployments = await self.cache.list_deployments()
            if not deployments:
                listing = await self.refresh_deployments()
                if listing.exception is not None and not listing.not_supported:
                    raise listing.exception
                if listing.not_supported and isinstance(listing.exception, NotSupportedError):
                    unsupported.append(listing.exception)
                deployments = listing.items
            ids = [d.id for d in deployments]
        gate = asyncio.Semaphore(CONCURRENCY)

        async def runs_of(dep_id: str) -> list[Run] | NotSupportedError:
            async with gate:
                try:
                    runs = await self.client.list_deployment_runs(dep_id, RUNS_PER_DEPLOYMENT)
                except NotSupportedError as exc:
                    return exc
                except NotFoundError:
                    return []
                # v2 run objects do not name their deployment; we know which one we asked
                return [r if r.deployment_id else replace(r, deployment_id=dep_id) for r in runs]

        results = await asyncio.gather(*(runs_of(i) for i in ids))
        fetched = [run for r in results if isinstance(r, list) for run in r]
        seen = {run.id for run in fetched}
        own = [r for r in await resumable_runs(self.cache) if r.id not in seen]
        fetched.extend(await self._reread(own))
        unsupported = [r for r in results if isinstance(r, NotSupportedError)]
        if unsupported and len(unsupported) == len(results) or not results and not fetched:
            await self.cache.upsert_runs(fetched)
            raise (
                unsupported[0]
                if unsupported
                else NotSupportedError(f"{self.client.host} cannot list runs")
            )
        return fetched

    async def _reread(self, runs: list[Run]) -> list[Run]:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(run: Run) -> Run | None:
            async with gate:
                try:
                    return merge_run(await self.client.get_run(run.id), run)
                except NotFoundError:
                    return None

        results = await asyncio.gather(*(one(r) for r in runs), return_exceptions=True)
        for result in results:
            if isinstance(result, UNREACHABLE):
                raise result
        return [r for r in results if isinstance(r, Run)]

    async def get_run(self, run_id: str) -> Run:
        """The run: from the cache when it is finished, else fresh from the server (stored)."""
        run, _ = await self.run_detail(run_id)
        return run

    async def run_detail(self, run_id: str) -> tuple[Run, str | None]:
        """`get_run`, and why the copy is the cache's when the server failed (else None).

        A run the cache holds unfinished and the server answers 404 for comes back (and is
        stored) as `not-found`."""
        cached = await self.cache.get_run(run_id)
        if cached is not None and cached.is_terminal:
            return cached, None

        async def store(run: Run) -> None:
            await self.cache.upsert_run(merge_run(run, cached))

        async def fetch() -> Run:
            try:
                return await self.client.get_run(run_id)
            except NotFoundError as exc:
                if cached is None:
                    raise
                return not_found(cached, str(exc))  # it answered: the run is what is missing

        run, offline, error = await self._one(
            fetch,
            lambda: self.cache.get_run(run_id),
            store,
            f"run {run_id}",
        )
        return merge_run(run, cached), error if offline else None
