"""Shared by the catalog services: stale-while-revalidate plumbing and the offline rules.

`cached_*` answers from the cache at once (with the time of the last sync); `refresh_*` asks the
server, stores the answer and returns it. When the server cannot be reached (network, 5xx,
timeout, unusable answer) a refresh returns the cache marked offline; a server without the
listing gives `not_supported=True`. Auth errors are raised: no cache hides a wrong key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from comfytui.cache import Cache
from comfytui.errors import (
    ApiError,
    ComfyTuiError,
    NetworkError,
    NotFoundError,
    NotSupportedError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from comfytui.services.lazy_client import OfflineError
from comfytui.services.listing import Connectivity, Listing

if TYPE_CHECKING:
    from comfytui.api import ComfyDeployClient

T = TypeVar("T")

# Failures that mean "the server is not usable right now": serve the cache, marked offline.
UNREACHABLE = (NetworkError, ServerError, RateLimitedError, ProtocolError, TimeoutError, OSError)
PAGE = 100


class CatalogBase:
    def __init__(self, client: ComfyDeployClient, cache: Cache, link: Connectivity) -> None:
        self.client = client
        self.cache = cache
        self.link = link

    async def _cached(self, entity: str, items: list[T]) -> Listing[T]:
        return Listing(
            items,
            offline=self.link.offline,
            last_sync=await self.cache.last_synced(entity),
            error=self.link.last_error if self.link.offline else None,
            from_cache=True,
        )

    async def _refresh(
        self,
        entity: str,
        fetch: Callable[[], Awaitable[Any]],
        store: Callable[[Any], Awaitable[None]],
        read: Callable[[], Awaitable[list[T]]],
    ) -> Listing[T]:
        """Fetch -> store -> read back; on failure the cache, marked with what went wrong."""
        if not self.link.offline:
            return await self._attempt(entity, fetch, store, read)
        async with self.link.gate:  # offline: one attempt at a time, and none right after one
            if self.link.recently_failed():
                error = self.link.last_exception or NetworkError(
                    self.link.last_error or f"cannot reach {self.client.host}"
                )
                return await self._offline(entity, read, error)
            return await self._attempt(entity, fetch, store, read)

    async def _offline(
        self, entity: str, read: Callable[[], Awaitable[list[T]]], error: ComfyTuiError
    ) -> Listing[T]:
        cached = await self._cached(entity, await read())
        return replace(cached, offline=True, error=str(error), exception=error)

    async def _attempt(
        self,
        entity: str,
        fetch: Callable[[], Awaitable[Any]],
        store: Callable[[Any], Awaitable[None]],
        read: Callable[[], Awaitable[list[T]]],
    ) -> Listing[T]:
        try:
            fetched = await fetch()
        except NotSupportedError as exc:
            self.link.reached()
            return Listing(
                await read(),
                last_sync=await self.cache.last_synced(entity),
                error=str(exc),
                not_supported=True,
                from_cache=True,
                exception=exc,
            )
        except UNREACHABLE as exc:
            error = (
                exc
                if isinstance(exc, ApiError)
                else NetworkError(
                    f"{self.client.host} did not answer in time"
                    if isinstance(exc, TimeoutError)
                    else f"cannot reach {self.client.host}: {exc}"
                )
            )
            self.link.failed(error)
            return await self._offline(entity, read, error)
        self.link.reached()
        await store(fetched)
        now = datetime.now(UTC)
        await self.cache.set_synced(entity, now)
        return Listing(await read(), last_sync=now)

    # --- one item: the server when it answers, else the cache -----------------------------------

    async def _one(
        self,
        fetch: Callable[[], Awaitable[T]],
        cached: Callable[[], Awaitable[T | None]],
        store: Callable[[T], Awaitable[None]],
        what: str,
    ) -> tuple[T, bool, str | None]:
        """(item, offline, error): fetched and stored, or the cached copy when unreachable."""
        try:
            item = await fetch()
        except (NotSupportedError, NotFoundError, *UNREACHABLE) as exc:
            unreachable = isinstance(exc, UNREACHABLE)
            if unreachable:
                self.link.failed(exc)
            found = await cached()
            if found is None:
                if isinstance(exc, OfflineError):
                    raise NotFoundError(f"{what} is not in the local cache (--offline)") from None
                if isinstance(exc, ApiError):
                    raise
                raise NetworkError(
                    f"cannot reach {self.client.host} and {what} is not cached"
                ) from None
            return found, unreachable, str(exc)
        self.link.reached()
        await store(item)
        return item, False, None

    async def gather_quietly(self, *calls: Awaitable[Any]) -> list[Any]:
        """Run side lookups together; a failed one gives None instead of failing the detail."""
        results = await asyncio.gather(*calls, return_exceptions=True)
        return [None if isinstance(r, BaseException) else r for r in results]

    async def refresh_deployments(
        self, search: str | None = None, workflow_id: str | None = None
    ) -> Listing:
        raise NotImplementedError  # Catalog
