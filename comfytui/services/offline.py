"""The offline listings of the CLI (`comfytui ls KIND --offline`), synchronous: the cache read
through `cache.reader.CacheReader` (stdlib sqlite3, read-only), no asyncio, no event loop.

`offline_listing` returns None whenever the full path is needed (demo mode, a settings error to
word, a cache file to create, migrate, rebuild or recover from, see `CacheReader`): the caller
then opens the async `Session` as before, so every notice, error and exit code stays its.
"""

from __future__ import annotations

from typing import Any

from comfytui.cache.reader import CacheReader, ReaderUnavailable
from comfytui.errors import ComfyTuiError
from comfytui.services.accounts import account_of
from comfytui.services.listing import Listing
from comfytui.settings import Settings

__all__ = ["OfflineListing", "offline_listing"]


class OfflineListing:
    """The cached listing of one kind, plus deployment names for runs (what `ls` shows)."""

    __slots__ = ("listing", "names")

    def __init__(self, listing: Listing[Any], names: dict[str, str]) -> None:
        self.listing = listing
        self.names = names


def _server_key(settings: Settings) -> str | None:
    """The cache's key of this server (`Session.open`'s, for a real API key), else None."""
    if settings.demo or settings.api_key is None:
        return None
    from comfytui.api.dialect import DIALECTS
    from comfytui.api.urls import ApiBase

    if settings.dialect != "auto" and settings.dialect not in DIALECTS:
        return None  # the full path words the error
    try:
        origin = ApiBase.parse(settings.api_url).origin
    except (ValueError, ComfyTuiError):  # the full path words the error
        return None
    return f"{origin}#{account_of(settings.api_key.reveal())}"


def offline_listing(
    settings: Settings, kind: str, *, limit: int = 200, names: bool = False
) -> OfflineListing | None:
    """`session.catalog.cached_KIND()` read synchronously (runs: the newest `limit`); `names`:
    also the cached deployments' names by id. None: use the async Session instead."""
    key = _server_key(settings)
    if key is None:
        return None
    try:
        with CacheReader.open(settings.locations.cache_file(settings.profile), key) as reader:
            items = reader.list_runs(limit) if kind == "runs" else reader.listing(kind)
            by_id: dict[str, str] = {}
            if names:
                by_id = {d.id: d.name for d in reader.listing("deployments")}
            last_sync = reader.last_synced(kind)
    except ReaderUnavailable:
        return None
    return OfflineListing(Listing(items, last_sync=last_sync, from_cache=True), by_id)
