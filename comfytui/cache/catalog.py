"""Workflows, versions, deployments and machines: bulk upserts, listings and indexed lookups."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from comfytui.cache import converters as cv
from comfytui.cache import queries as q
from comfytui.cache.base import CacheBase
from comfytui.models import Deployment, Machine, Workflow, WorkflowVersion

_UPSERT = {
    "workflows": ("id, name, updated_at, data", cv.workflow_row),
    "workflow_versions": ("id, workflow_id, version, data", cv.version_row),
    "deployments": ("id, name, workflow_id, environment, data", cv.deployment_row),
    "machines": ("id, name, status, data", cv.machine_row),
}


def _upsert_sql(table: str, columns: str) -> str:
    names = [c.strip() for c in columns.split(",")]
    updates = ", ".join(f"{c} = excluded.{c}" for c in names[1:])
    marks = ", ".join("?" * (len(names) + 1))
    return (
        f"INSERT INTO {table} (server, {columns}) VALUES ({marks}) "
        f"ON CONFLICT (server, id) DO UPDATE SET {updates}"
    )


_like = q.like


class CatalogStore(CacheBase):
    async def _upsert(self, table: str, items: Iterable[Any], *, replace: bool = False) -> None:
        columns, to_row = _UPSERT[table]
        rows = self._scoped(to_row(item) for item in items)
        async with self._transaction() as conn:
            if replace:
                ids = [row[1] for row in rows]
                await conn.execute(
                    f"DELETE FROM {table} WHERE server = ? AND id NOT IN "
                    f"(SELECT value FROM json_each(?))",
                    (self._sid, cv.dumps(ids)),
                )
            await conn.executemany(_upsert_sql(table, columns), rows)

    async def upsert_workflows(self, items: Iterable[Workflow]) -> None:
        await self._upsert("workflows", items)

    async def upsert_workflow_versions(self, items: Iterable[WorkflowVersion]) -> None:
        await self._upsert("workflow_versions", items)

    async def upsert_deployments(self, items: Iterable[Deployment]) -> None:
        await self._upsert("deployments", items)

    async def upsert_machines(self, items: Iterable[Machine]) -> None:
        await self._upsert("machines", items)

    async def replace_workflows(self, items: Iterable[Workflow]) -> None:
        """The full list from the server: rows it no longer has are dropped."""
        await self._upsert("workflows", items, replace=True)

    async def replace_deployments(self, items: Iterable[Deployment]) -> None:
        await self._upsert("deployments", items, replace=True)

    async def replace_machines(self, items: Iterable[Machine]) -> None:
        await self._upsert("machines", items, replace=True)

    # --- listings -----------------------------------------------------------------------------

    async def _list(
        self,
        table: str,
        columns: str,
        convert: Callable[[Any], Any],
        where: Sequence[tuple[str, Any]],
        order: str,
    ) -> list[Any]:
        sql, params = q.select_sql(table, columns, self._sid, where, order)
        return await self._all(convert, sql, params)

    async def _listing(self, kind: str, where: Sequence[tuple[str, Any]]) -> list[Any]:
        table, columns, convert, order = q.LISTINGS[kind]
        return await self._list(table, columns, convert, where, order)

    async def list_workflows(self, search: str | None = None) -> list[Workflow]:
        return await self._listing("workflows", q.listing_where(search))

    async def list_deployments(
        self, search: str | None = None, workflow_id: str | None = None
    ) -> list[Deployment]:
        return await self._listing("deployments", q.listing_where(search, workflow_id))

    async def list_machines(self, search: str | None = None) -> list[Machine]:
        return await self._listing("machines", q.listing_where(search))

    async def list_workflow_versions(self, workflow_id: str) -> list[WorkflowVersion]:
        return await self._list(
            "workflow_versions",
            cv.VERSION_COLUMNS,
            cv.version_from_row,
            [("workflow_id = ?", workflow_id)],
            "version DESC",
        )

    # --- single items and lookups ---------------------------------------------------------------

    async def _get(self, table: str, columns: str, convert: Callable[[Any], Any], id_: str) -> Any:
        return await self._one(
            convert,
            f"SELECT {columns} FROM {table} WHERE server = ? AND id = ?",
            (self._sid, id_),
        )

    async def get_workflow(self, workflow_id: str) -> Workflow | None:
        return await self._get("workflows", cv.WORKFLOW_COLUMNS, cv.workflow_from_row, workflow_id)

    async def get_workflow_version(self, version_id: str) -> WorkflowVersion | None:
        return await self._get(
            "workflow_versions", cv.VERSION_COLUMNS, cv.version_from_row, version_id
        )

    async def get_deployment(self, deployment_id: str) -> Deployment | None:
        return await self._get(
            "deployments", cv.DEPLOYMENT_COLUMNS, cv.deployment_from_row, deployment_id
        )

    async def get_machine(self, machine_id: str) -> Machine | None:
        return await self._get("machines", cv.MACHINE_COLUMNS, cv.machine_from_row, machine_id)

    async def find_workflow_by_name(self, name: str) -> Workflow | None:
        """Exact name first, else the case-insensitive match (indexed NOCASE column)."""
        found = await self._all(
            cv.workflow_from_row,
            f"SELECT {cv.WORKFLOW_COLUMNS} FROM workflows "
            "WHERE server = ? AND name = ? COLLATE NOCASE ORDER BY name = ? DESC, id LIMIT 1",
            (self._sid, name, name),
        )
        return found[0] if found else None

    async def find_deployments_by_name(self, name: str) -> list[Deployment]:
        """Deployments whose (workflow) name matches, case-insensitively; production first."""
        return await self._all(
            cv.deployment_from_row,
            f"SELECT {cv.DEPLOYMENT_COLUMNS} FROM deployments "
            "WHERE server = ? AND name = ? COLLATE NOCASE "
            "ORDER BY name = ? DESC, environment != 'production', environment, id",
            (self._sid, name, name),
        )
