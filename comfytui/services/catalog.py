"""`session.catalog`: listings of workflows, deployments, machines and runs, details, lookups."""

from __future__ import annotations

from dataclasses import replace

from comfytui.models import Deployment
from comfytui.services.base import PAGE, CatalogBase
from comfytui.services.details import DetailCatalog
from comfytui.services.listing import Listing
from comfytui.services.resolve import IdResolver
from comfytui.services.run_catalog import RunCatalog


class Catalog(IdResolver, RunCatalog, DetailCatalog, CatalogBase):
    """Stale-while-revalidate catalog (see services/base.py for the offline rules)."""

    # --- workflows ----------------------------------------------------------------------------

    async def cached_workflows(self, search: str | None = None) -> Listing:
        return await self._cached("workflows", await self.cache.list_workflows(search))

    async def refresh_workflows(self, search: str | None = None) -> Listing:
        async def fetch() -> list:
            items: list = []
            while True:
                page = await self.client.list_workflows(limit=PAGE, offset=len(items))
                items.extend(page)
                if len(page) < PAGE or len(items) >= 10_000:
                    return items

        return await self._refresh(
            "workflows",
            fetch,
            self.cache.replace_workflows,
            lambda: self.cache.list_workflows(search),
        )

    # --- deployments ----------------------------------------------------------------------------

    async def cached_deployments(
        self, search: str | None = None, workflow_id: str | None = None
    ) -> Listing:
        items = await self.cache.list_deployments(search, workflow_id)
        return await self._cached("deployments", items)

    async def refresh_deployments(
        self, search: str | None = None, workflow_id: str | None = None
    ) -> Listing:
        async def store(items: list[Deployment]) -> None:
            await self.cache.replace_deployments(await self._keep_known_inputs(items))

        return await self._refresh(
            "deployments",
            self.client.list_deployments,
            store,
            lambda: self.cache.list_deployments(search, workflow_id),
        )

    async def _keep_known_inputs(self, items: list[Deployment]) -> list[Deployment]:
        """A listing without inputs (legacy) must not erase inputs discovered earlier."""
        out = []
        for item in items:
            if not item.inputs:
                known = await self.cache.get_deployment(item.id)
                if (
                    known is not None
                    and known.inputs
                    and (known.workflow_version_id == item.workflow_version_id)
                ):
                    item = replace(item, inputs=known.inputs)
            out.append(item)
        return out

    # --- machines -------------------------------------------------------------------------------

    async def cached_machines(self, search: str | None = None) -> Listing:
        return await self._cached("machines", await self.cache.list_machines(search))

    async def refresh_machines(self, search: str | None = None) -> Listing:
        return await self._refresh(
            "machines",
            self.client.list_machines,
            self.cache.replace_machines,
            lambda: self.cache.list_machines(search),
        )
