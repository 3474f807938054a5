"""Sweeps and their planned runs: the intent written before any queue request is sent.

A planned run moves planned -> sending -> queued | not-sent | unknown. `claim` (planned ->
sending) is one conditional UPDATE, so two processes on the same cache never send the same
planned run. `owner` is the pid of the process sending a sweep: a sweep whose owner is gone
is picked up by the next process (see `services.reconcile`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from comfytui.cache import converters as cv
from comfytui.cache.base import CacheBase
from comfytui.models import PlannedRun, PlannedState, Sweep

SWEEPS_MIGRATION = """
CREATE TABLE sweeps (
    server INTEGER NOT NULL, id TEXT NOT NULL, deployment_id TEXT NOT NULL,
    deployment_name TEXT NOT NULL, created_at REAL NOT NULL, total INTEGER NOT NULL,
    varying TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL, owner INTEGER,
    PRIMARY KEY (server, id));
CREATE INDEX sweeps_by_created ON sweeps (server, created_at);
CREATE TABLE planned_runs (
    server INTEGER NOT NULL, sweep_id TEXT NOT NULL, idx INTEGER NOT NULL, inputs TEXT NOT NULL,
    varying TEXT NOT NULL, state TEXT NOT NULL, run_id TEXT, sent_at REAL, note TEXT,
    owner INTEGER, PRIMARY KEY (server, sweep_id, idx));
CREATE INDEX planned_by_state ON planned_runs (server, state);
CREATE INDEX planned_by_run ON planned_runs (server, run_id);
"""

_PLANNED_COLS = "sweep_id, idx, inputs, varying, state, run_id, sent_at, note"
_SWEEP_COLS = "id, deployment_id, deployment_name, created_at, total, varying, kind, state"


def _planned(row: Any) -> PlannedRun:
    return PlannedRun(
        sweep_id=row[0],
        index=row[1],
        inputs=cv.loads(row[2]) or {},
        varying=cv.loads(row[3]) or {},
        state=PlannedState(row[4]),
        run_id=row[5],
        sent_at=cv.from_ts(row[6]),
        note=row[7],
    )


def _sweep(row: Any, counts: dict[str, int] | None = None) -> Sweep:
    return Sweep(
        id=row[0],
        deployment_id=row[1],
        deployment_name=row[2],
        created_at=cv.from_ts(row[3]) or datetime.now(UTC),
        total=row[4],
        varying=tuple(cv.loads(row[5]) or ()),
        kind=row[6],
        state=row[7],
        counts=counts or {},
    )


class SweepStore(CacheBase):
    async def create_sweep(self, sweep: Sweep, planned: Sequence[PlannedRun], owner: int) -> None:
        """The sweep and every planned run, in one transaction (all or nothing)."""
        async with self._transaction() as conn:
            await conn.execute(
                f"INSERT INTO sweeps (server, {_SWEEP_COLS}, owner) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self._sid,
                    sweep.id,
                    sweep.deployment_id,
                    sweep.deployment_name,
                    cv.to_ts(sweep.created_at),
                    sweep.total,
                    cv.dumps(list(sweep.varying)),
                    sweep.kind,
                    sweep.state,
                    owner,
                ),
            )
            await conn.executemany(
                f"INSERT INTO planned_runs (server, {_PLANNED_COLS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        self._sid,
                        p.sweep_id,
                        p.index,
                        cv.dumps(p.inputs),
                        cv.dumps(p.varying),
                        p.state.value,
                        p.run_id,
                        cv.to_ts(p.sent_at),
                        p.note,
                    )
                    for p in planned
                ],
            )

    async def get_sweep(self, sweep_id: str) -> Sweep | None:
        rows = await self._rows(
            f"SELECT {_SWEEP_COLS} FROM sweeps WHERE server = ? AND id = ?", (self._sid, sweep_id)
        )
        if not rows:
            return None
        return _sweep(rows[0], await self._counts(sweep_id))

    async def sweep_state(self, sweep_id: str) -> str | None:
        """The sweep's state alone (what a sender checks before each request)."""
        rows = await self._page_rows(
            "SELECT state FROM sweeps WHERE server = ? AND id = ?", (self._sid, sweep_id)
        )
        return rows[0][0] if rows else None

    async def find_sweeps(self, prefix: str) -> list[str]:
        rows = await self._rows(
            "SELECT id FROM sweeps WHERE server = ? AND id LIKE ? ESCAPE '\\' LIMIT 5",
            (self._sid, prefix.replace("%", "\\%").replace("_", "\\_") + "%"),
        )
        return [r[0] for r in rows]

    async def _counts(self, sweep_id: str) -> dict[str, int]:
        rows = await self._rows(
            "SELECT state, count(*) FROM planned_runs WHERE server = ? AND sweep_id = ? "
            "GROUP BY state",
            (self._sid, sweep_id),
        )
        return {r[0]: r[1] for r in rows}

    async def list_sweeps(self, *, kind: str | None = "sweep", limit: int = 100) -> list[Sweep]:
        where, params = "server = ?", [self._sid]
        if kind is not None:
            where += " AND kind = ?"
            params.append(kind)
        rows = await self._rows(
            f"SELECT {_SWEEP_COLS} FROM sweeps WHERE {where} ORDER BY created_at DESC LIMIT ?",
            (*params, limit),
        )
        return [_sweep(r, await self._counts(r[0])) for r in rows]

    async def planned_runs(self, sweep_id: str) -> list[PlannedRun]:
        return await self._all(
            _planned,
            f"SELECT {_PLANNED_COLS} FROM planned_runs WHERE server = ? AND sweep_id = ? "
            "ORDER BY idx",
            (self._sid, sweep_id),
        )

    async def planned_in(
        self, states: Iterable[PlannedState], sweep_id: str | None = None
    ) -> list[PlannedRun]:
        names = [s.value for s in states]
        sql = (
            f"SELECT {_PLANNED_COLS} FROM planned_runs WHERE server = ? "
            f"AND state IN ({', '.join('?' * len(names))})"
        )
        params: list[Any] = [self._sid, *names]
        if sweep_id is not None:
            sql += " AND sweep_id = ?"
            params.append(sweep_id)
        return await self._all(_planned, sql + " ORDER BY sweep_id, idx", params)

    async def has_unsettled_runs(self) -> bool:
        """Any planned run left planned, sending or unknown (what `recover` looks for)."""
        from comfytui.cache.queries import UNSETTLED, UNSETTLED_PARAMS

        rows = await self._rows(UNSETTLED, (self._sid, *UNSETTLED_PARAMS))
        return bool(rows)

    async def planned_for_run(self, run_id: str) -> PlannedRun | None:
        return await self._one(
            _planned,
            f"SELECT {_PLANNED_COLS} FROM planned_runs WHERE server = ? AND run_id = ?",
            (self._sid, run_id),
        )

    async def adopted_run_ids(self, deployment_id: str) -> set[str]:
        rows = await self._rows(
            "SELECT p.run_id FROM planned_runs p JOIN sweeps s ON s.server = p.server "
            "AND s.id = p.sweep_id WHERE p.server = ? AND s.deployment_id = ? "
            "AND p.run_id IS NOT NULL",
            (self._sid, deployment_id),
        )
        return {r[0] for r in rows}

    async def claim(self, sweep_id: str, index: int, owner: int, when: datetime) -> bool:
        """planned -> sending, if still planned (the write happens before the request)."""
        changed = await self._write(
            "UPDATE planned_runs SET state = 'sending', sent_at = ?, owner = ? "
            "WHERE server = ? AND sweep_id = ? AND idx = ? AND state = 'planned'",
            (cv.to_ts(when), owner, self._sid, sweep_id, index),
        )
        return changed == 1

    async def set_planned(
        self,
        sweep_id: str,
        index: int,
        state: PlannedState,
        *,
        run_id: str | None = None,
        note: str | None = None,
        only_from: Iterable[PlannedState] | None = None,
    ) -> bool:
        sql = (
            "UPDATE planned_runs SET state = ?, run_id = coalesce(?, run_id), note = ? "
            "WHERE server = ? AND sweep_id = ? AND idx = ?"
        )
        params: list[Any] = [state.value, run_id, note, self._sid, sweep_id, index]
        if only_from is not None:
            names = [s.value for s in only_from]
            sql += f" AND state IN ({', '.join('?' * len(names))})"
            params.extend(names)
        return await self._write(sql, params) == 1

    async def set_sweep_state(self, sweep_id: str, state: str) -> None:
        await self._write(
            "UPDATE sweeps SET state = ? WHERE server = ? AND id = ?", (state, self._sid, sweep_id)
        )

    async def take_over_sweep(self, sweep_id: str, owner: int, alive: set[int]) -> bool:
        """Become the sweep's sender unless a live process (in `alive`) is one."""
        async with self._transaction() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT owner FROM sweeps WHERE server = ? AND id = ?", (self._sid, sweep_id)
                )
            )
            if not rows or (rows[0][0] in alive and rows[0][0] != owner):
                return False
            await conn.execute(
                "UPDATE sweeps SET owner = ? WHERE server = ? AND id = ?",
                (owner, self._sid, sweep_id),
            )
            return True

    async def sweep_owner(self, sweep_id: str) -> int | None:
        rows = await self._rows(
            "SELECT owner FROM sweeps WHERE server = ? AND id = ?", (self._sid, sweep_id)
        )
        return rows[0][0] if rows else None

    async def sending_owners(self) -> dict[tuple[str, int], int | None]:
        rows = await self._rows(
            "SELECT sweep_id, idx, owner FROM planned_runs WHERE server = ? AND state = 'sending'",
            (self._sid,),
        )
        return {(r[0], r[1]): r[2] for r in rows}
