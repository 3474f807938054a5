"""`session.sweeps`: many runs of one deployment, queued client-side, never lost or sent twice.

Every planned run is in the cache before its queue request goes out (`cache.sweeps`); at most
`concurrency` requests are in flight. A request that fails in a way that proves the server
never took it (no connection, a 4xx answer) marks the run not-sent; any other failure leaves it
"sending" and it is looked up on the server (`services.reconcile`) instead of being sent again.
`recover()` (every start) does the same for the runs of a process that died, and sends the
planned runs of its sweeps.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comfytui.cache import Cache
from comfytui.errors import (
    ApiError,
    AuthError,
    ConnectFailedError,
    ForbiddenError,
    InputError,
    NotFoundError,
)
from comfytui.models import Deployment, PlannedRun, PlannedState, Run, RunStatus, Sweep
from comfytui.services import reconcile
from comfytui.services.catalog import Catalog
from comfytui.services.sweep_plan import SweepPlan
from comfytui.services.upload_check import check_upload

if TYPE_CHECKING:  # the client (httpx) is built on first network use
    from comfytui.api import ComfyDeployClient

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 4
OPEN_STATES = (PlannedState.PLANNED, PlannedState.SENDING)
Changed = Callable[[PlannedRun], object]


def refused(exc: ApiError) -> bool:
    """True when the error proves the server did not take the queue request."""
    if isinstance(exc, ConnectFailedError | AuthError | ForbiddenError | NotFoundError):
        return True
    code = exc.status_code
    return code is not None and 400 <= code < 500


def queued_run(deployment: Deployment, run_id: str, inputs: Mapping[str, Any]) -> Run:
    """The run as known the moment the server returned its id."""
    now = datetime.now(UTC)
    return Run(
        id=run_id,
        status=RunStatus.NOT_STARTED,
        raw_status=RunStatus.NOT_STARTED.value,
        deployment_id=deployment.id,
        workflow_id=deployment.workflow_id,
        workflow_version_id=deployment.workflow_version_id,
        machine_id=deployment.machine_id,
        origin="api",
        inputs=dict(inputs),
        created_at=now,
        updated_at=now,
    )


def _new_id() -> str:
    import uuid  # late: uuid imports platform (~7 ms); only creating a sweep needs it

    return str(uuid.uuid4())


class SweepService:
    def __init__(
        self,
        client: ComfyDeployClient,
        cache: Cache,
        catalog: Catalog,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        upload: Callable[[str, Path], Any] | None = None,
    ) -> None:
        self.client = client
        self.cache = cache
        self.catalog = catalog
        self.concurrency = concurrency
        self.upload = upload  # async (input name, path) -> URL, set by the session
        self.pid = os.getpid()

    # --- create -------------------------------------------------------------------------------

    async def create(
        self, deployment: Deployment, plan: SweepPlan, *, kind: str = "sweep"
    ) -> Sweep:
        """Upload local files once, then write the sweep and all its planned runs."""
        for name, vals in plan.values.items():  # every file checked before the first upload
            for value in vals:
                if isinstance(value, Path):
                    check_upload(value, input_id=name)
        values: dict[str, list[Any]] = {}
        for name, vals in plan.values.items():
            out = []
            for value in vals:
                if isinstance(value, Path):
                    if self.upload is None:
                        raise InputError(f"input {name}: cannot upload files here")
                    value = await self.upload(name, value)
                out.append(value)
            values[name] = out
        plan = replace(plan, values=values)
        runs = plan.runs()
        sweep = Sweep(
            id=_new_id(),
            deployment_id=deployment.id,
            deployment_name=deployment.name,
            created_at=datetime.now(UTC),
            total=len(runs),
            varying=plan.varying,
            kind=kind,
        )
        planned = [
            PlannedRun(sweep.id, i, inputs, varying) for i, (inputs, varying) in enumerate(runs)
        ]
        await self.cache.create_sweep(sweep, planned, self.pid)
        return sweep

    # --- send ---------------------------------------------------------------------------------

    async def send(
        self, sweep_id: str, *, concurrency: int | None = None, on_change: Changed | None = None
    ) -> Sweep:
        """Send every planned run, at most `concurrency` at once; returns the sweep after."""
        sweep = await self.get(sweep_id)
        deployment = await self._deployment(sweep)
        limit = asyncio.Semaphore(max(1, concurrency or self.concurrency))
        uncertain: list[PlannedRun] = []

        async def one(p: PlannedRun) -> None:
            async with limit:
                if await self.cache.sweep_state(sweep_id) in (None, "cancelled"):
                    return
                result = await self._send_one(deployment, p)
                if result.state is PlannedState.SENDING:
                    uncertain.append(result)
                if on_change is not None:
                    on_change(result)

        pending = await self.cache.planned_in([PlannedState.PLANNED], sweep_id)
        await asyncio.gather(*(one(p) for p in pending))
        if uncertain:
            for p in await self._reconcile(sweep, uncertain):
                if on_change is not None:
                    on_change(p)
        return await self._finish(sweep_id)

    async def _send_one(
        self, deployment: Deployment, p: PlannedRun, errors: list[ApiError] | None = None
    ) -> PlannedRun:
        when = datetime.now(UTC)
        if not await self.cache.claim(p.sweep_id, p.index, self.pid, when):
            return p  # another process took it
        p = replace(p, state=PlannedState.SENDING, sent_at=when)
        try:
            run_id = await self.client.queue_run(deployment.id, p.inputs)
        except ApiError as exc:
            if errors is not None:
                errors.append(exc)
            if refused(exc):
                note = f"not sent: {exc}"
                await self.cache.set_planned(p.sweep_id, p.index, PlannedState.NOT_SENT, note=note)
                return replace(p, state=PlannedState.NOT_SENT, note=note)
            log.info(
                "queue request of %s/%d may have reached the server: %s", p.sweep_id, p.index, exc
            )
            return replace(p, note=str(exc))  # stays "sending": looked up, never re-sent
        await self.cache.upsert_run(queued_run(deployment, run_id, p.inputs))
        await self.cache.set_planned(p.sweep_id, p.index, PlannedState.QUEUED, run_id=run_id)
        return replace(p, state=PlannedState.QUEUED, run_id=run_id, note=None)

    async def queue_single(self, deployment: Deployment, inputs: Mapping[str, Any]) -> str:
        """One run with the same durability: intent first, reconciled if the answer is lost."""
        sweep = await self.create(
            deployment, SweepPlan({k: [v] for k, v in inputs.items()}), kind="single"
        )
        [p] = await self.cache.planned_runs(sweep.id)
        errors: list[ApiError] = []
        try:
            result = await self._send_one(deployment, p, errors)
            if result.state is PlannedState.SENDING:
                [result] = await self._reconcile(sweep, [result]) or [result]
        finally:
            await self._finish(sweep.id)
        if result.run_id:
            return result.run_id
        if errors:
            raise errors[0]
        raise ApiError(result.note or "the run was not queued")

    # --- reconcile ----------------------------------------------------------------------------

    async def _reconcile(self, sweep: Sweep, planned: list[PlannedRun]) -> list[PlannedRun]:
        """Adopt the server runs the "sending"/"unknown" runs started; the rest: unknown."""
        if not planned:
            return []
        taken = await self.cache.adopted_run_ids(sweep.deployment_id)
        try:
            found = await reconcile.lookup(
                self.client,
                sweep.deployment_id,
                planned,
                taken,
                limit=min(1000, 50 + 2 * sweep.total),
            )
        except ApiError:
            return planned  # try again at the next start
        deployment = await self._deployment(sweep)
        out = []
        for p in planned:
            run_id = (found or {}).get(p.index)
            if run_id is not None:
                await self.cache.upsert_run(queued_run(deployment, run_id, p.inputs))
                await self.cache.set_planned(
                    p.sweep_id,
                    p.index,
                    PlannedState.QUEUED,
                    run_id=run_id,
                    note="adopted after a lost answer",
                )
                out.append(replace(p, state=PlannedState.QUEUED, run_id=run_id))
            else:
                note = reconcile.UNKNOWN_NOTE if found is not None else reconcile.NO_LISTING_NOTE
                await self._move(p, PlannedState.UNKNOWN, note, PlannedState.SENDING)
                out.append(replace(p, state=PlannedState.UNKNOWN, note=note))
        return out

    async def recover(self, *, send: bool = True) -> list[Sweep]:
        """At start: look up the "sending" runs of dead processes; send what they left planned."""
        owners = await self.cache.sending_owners()
        orphans: dict[str, list[PlannedRun]] = {}
        for p in await self.cache.planned_in([PlannedState.SENDING, PlannedState.UNKNOWN]):
            owner = owners.get((p.sweep_id, p.index))
            if p.state is PlannedState.UNKNOWN or not reconcile.process_alive(owner):
                orphans.setdefault(p.sweep_id, []).append(p)
        touched: dict[str, Sweep] = {}
        for sweep_id, planned in orphans.items():
            sweep = await self.cache.get_sweep(sweep_id)
            if sweep is not None:
                await self._reconcile(sweep, planned)
                touched[sweep_id] = sweep
        if send:
            for p in await self.cache.planned_in([PlannedState.PLANNED]):
                owner = await self.cache.sweep_owner(p.sweep_id)
                if reconcile.process_alive(owner) and owner != self.pid:
                    continue
                sweep = await self.cache.get_sweep(p.sweep_id)
                if sweep is None or sweep.state == "cancelled":
                    continue
                await self.cache.take_over_sweep(sweep.id, self.pid, set())
                touched[sweep.id] = await self.send(sweep.id)
        for sweep_id in list(touched):
            touched[sweep_id] = await self._finish(sweep_id)
        return list(touched.values())

    # --- user actions -------------------------------------------------------------------------

    async def cancel(self, sweep_id: str) -> Sweep:
        """Stop sending the rest; cancel the queued and running runs."""
        sweep = await self.get(sweep_id)
        await self.cache.set_sweep_state(sweep.id, "cancelled")
        for p in await self.cache.planned_in([PlannedState.PLANNED], sweep.id):
            await self.cache.set_planned(
                p.sweep_id,
                p.index,
                PlannedState.NOT_SENT,
                note="not sent: sweep cancelled",
                only_from=(PlannedState.PLANNED,),
            )
        for p in await self.cache.planned_in([PlannedState.QUEUED], sweep.id):
            run = await self.cache.get_run(p.run_id or "")
            if run is not None and run.is_terminal:
                continue
            try:
                await self.client.cancel_run(p.run_id or "")
            except ApiError as exc:
                log.info("cancel of run %s failed: %s", p.run_id, exc)
        return await self.get(sweep.id)

    async def retry(
        self, sweep_id: str, *, concurrency: int | None = None, on_change: Changed | None = None
    ) -> Sweep:
        """Look the unknown runs up once more, then send them and the not-sent ones again."""
        sweep = await self.get(sweep_id)
        unknown = await self.cache.planned_in([PlannedState.UNKNOWN], sweep.id)
        await self._reconcile(sweep, unknown)
        for p in await self.cache.planned_in(
            [PlannedState.UNKNOWN, PlannedState.NOT_SENT], sweep.id
        ):
            await self._move(p, PlannedState.PLANNED, None, PlannedState.NOT_SENT)
        await self.cache.set_sweep_state(sweep.id, "active")
        await self.cache.take_over_sweep(sweep.id, self.pid, set())
        return await self.send(sweep.id, concurrency=concurrency, on_change=on_change)

    # --- reading ------------------------------------------------------------------------------

    async def get(self, sweep_id: str) -> Sweep:
        sweep = await self.cache.get_sweep(sweep_id)
        if sweep is None:
            matches = await self.cache.find_sweeps(sweep_id) if len(sweep_id) >= 4 else []
            if len(matches) == 1:
                sweep = await self.cache.get_sweep(matches[0])
        if sweep is None:
            raise NotFoundError(f"no sweep {sweep_id} in this cache (comfytui sweep ls)")
        return sweep

    async def list(self, limit: int = 100) -> list[Sweep]:
        return await self.cache.list_sweeps(limit=limit)

    async def planned(self, sweep_id: str) -> list[PlannedRun]:
        return await self.cache.planned_runs(sweep_id)

    async def runs(self, sweep_id: str) -> dict[str, Run]:
        out = {}
        for p in await self.cache.planned_runs(sweep_id):
            if p.run_id:
                run = await self.cache.get_run(p.run_id)
                if run is not None:
                    out[p.run_id] = run
        return out

    async def deployment_of(self, run: Run) -> Deployment:
        """The deployment a run came from (v2 run bodies lack it: matched by version, then
        by workflow, production first); with its inputs."""
        if run.deployment_id:
            deployment = await self.catalog.resolve_deployment(run.deployment_id)
        else:
            listing = await self.catalog.refresh_deployments()
            items = list(listing.items)
            same = [
                d
                for d in items
                if run.workflow_version_id and d.workflow_version_id == run.workflow_version_id
            ]
            same = same or [
                d for d in items if run.workflow_id and d.workflow_id == run.workflow_id
            ]
            if not same:
                raise NotFoundError(f"run {run.id} has no deployment left to run it again")
            same.sort(key=lambda d: d.environment != "production")
            deployment = same[0]
        try:
            return await self.catalog.ensure_inputs(deployment)
        except ApiError:
            return deployment

    async def _move(
        self, p: PlannedRun, state: PlannedState, note: str | None, *also: PlannedState
    ) -> None:
        """`p` to `state` if it is still unknown (or in `also`)."""
        await self.cache.set_planned(
            p.sweep_id, p.index, state, note=note, only_from=(PlannedState.UNKNOWN, *also)
        )

    async def _deployment(self, sweep: Sweep) -> Deployment:
        known = await self.cache.get_deployment(sweep.deployment_id)
        if known is not None:
            return known
        return Deployment(id=sweep.deployment_id, name=sweep.deployment_name)

    async def _finish(self, sweep_id: str) -> Sweep:
        sweep = await self.get(sweep_id)
        if sweep.state == "active" and not any(sweep.counts.get(s.value) for s in OPEN_STATES):
            await self.cache.set_sweep_state(sweep_id, "done")
            sweep = await self.get(sweep_id)
        return sweep
