"""The read statements both cache paths run: the async `Cache` (aiosqlite) and the sync
`CacheReader` (stdlib sqlite3, read-only). One definition of each statement and its row
converter, so the two paths cannot drift apart. Imports neither asyncio nor aiosqlite."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from comfytui.cache import converters as cv
from comfytui.models import PlannedState, RunStatus

SERVER_ID = "SELECT id FROM servers WHERE key = ?"
LAST_SYNCED = "SELECT synced_at FROM sync_state WHERE server = ? AND entity = ?"
_UNSETTLED_STATES = (PlannedState.PLANNED, PlannedState.SENDING, PlannedState.UNKNOWN)
UNSETTLED = "SELECT 1 FROM planned_runs WHERE server = ? AND state IN (?, ?, ?) LIMIT 1"
UNSETTLED_PARAMS = tuple(state.value for state in _UNSETTLED_STATES)

SELECT_RUNS = f"SELECT {cv.RUN_COLUMNS} FROM runs"
RUN_PAGE = "ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?"

# kind -> (table, columns, row converter, order) of the catalog listings
LISTINGS: dict[str, tuple[str, str, Callable[[Any], Any], str]] = {
    "workflows": (
        "workflows",
        cv.WORKFLOW_COLUMNS,
        cv.workflow_from_row,
        "name COLLATE NOCASE, id",
    ),
    "deployments": (
        "deployments",
        cv.DEPLOYMENT_COLUMNS,
        cv.deployment_from_row,
        "name COLLATE NOCASE, environment, id",
    ),
    "machines": ("machines", cv.MACHINE_COLUMNS, cv.machine_from_row, "name COLLATE NOCASE, id"),
}


def like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def listing_where(search: str | None, workflow_id: str | None = None) -> list[tuple[str, Any]]:
    """The filter of a catalog listing: name substring, and a workflow for deployments."""
    where: list[tuple[str, Any]] = []
    if search:
        where.append(("name LIKE ? ESCAPE '\\'", like(search)))
    if workflow_id:
        where.append(("workflow_id = ?", workflow_id))
    return where


def select_sql(
    table: str, columns: str, sid: int, where: Sequence[tuple[str, Any]], order: str
) -> tuple[str, list[Any]]:
    clauses = ["server = ?"] + [c for c, _ in where]
    params = [sid] + [p for _, p in where]
    sql = f"SELECT {columns} FROM {table} WHERE {' AND '.join(clauses)} ORDER BY {order}"
    return sql, params


def run_filter(
    sid: int, deployment_id: str | None, status: Any, search: str | None
) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) of a runs page."""
    clauses = ["server = ?"]
    params: list[Any] = [sid]
    if deployment_id:
        clauses.append("deployment_id = ?")
        params.append(deployment_id)
    if status:
        values = [status] if isinstance(status, str) else list(status)
        clauses.append(f"status IN ({', '.join('?' * len(values))})")
        params.extend(str(RunStatus.parse(v).value) for v in values)
    if search:
        clauses.append(
            "(id LIKE ? OR status = ? OR deployment_id IN "
            "(SELECT id FROM deployments WHERE server = ? AND name LIKE ?))"
        )
        params.extend((f"{search}%", search.lower(), sid, f"%{search}%"))
    return " AND ".join(clauses), params


def probe_sql(table: str) -> tuple[str, str]:
    """The first and last row of a table: a damaged file fails on these (see database.py)."""
    return (
        f"SELECT * FROM {table} ORDER BY rowid LIMIT 1",
        f"SELECT * FROM {table} ORDER BY rowid DESC LIMIT 1",
    )
