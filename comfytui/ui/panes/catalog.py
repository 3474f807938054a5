"""`CatalogPane`: a pane that shows one catalog listing as it comes (workflows, deployments,
machines).

The cached rows are `session.catalog.cached_<KIND>()`, the server's `refresh_<KIND>()`, both
whole lists (the Runs pane pages the cache and fetches its own way).
"""

from __future__ import annotations

from typing import Any, TypeVar

from comfytui.ui.panes.base import ResourcePane

T = TypeVar("T")


class CatalogPane(ResourcePane[T]):
    async def fetch_cached(self) -> tuple[Any, int | None]:
        return await getattr(self.comfy.session.catalog, f"cached_{self.KIND}")(), None

    async def fetch_fresh(self) -> tuple[Any, int | None]:
        return await getattr(self.comfy.session.catalog, f"refresh_{self.KIND}")(), None
