"""Details of one workflow, deployment or machine, deployment lookup by id or name, and push."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from comfytui.errors import ApiError, InputError, NotFoundError, NotSupportedError
from comfytui.models import Deployment, PushedWorkflow, WorkflowVersion
from comfytui.sanitize import plain
from comfytui.services.base import UNREACHABLE, CatalogBase
from comfytui.services.inputs import discover_inputs
from comfytui.services.listing import DeploymentDetail, MachineDetail, WorkflowDetail

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
RECENT_RUNS = 20


class DetailCatalog(CatalogBase):
    async def ensure_inputs(self, deployment: Deployment) -> Deployment:
        """The deployment with its input list, from the server or discovered in its graph.

        For servers whose listing gives no inputs (legacy dialects): ask for the deployment
        itself; failing that, fetch the workflow version it runs (known from the deployment or
        from a run of it in the cache) and read the inputs out of the graph (`discover_inputs`).
        """
        if deployment.inputs:
            return deployment
        try:
            fetched = await self.client.get_deployment(deployment.id)
        except (NotSupportedError, NotFoundError):
            fetched = None
        if fetched is not None:
            deployment = _fill(deployment, fetched)
        version_id = deployment.workflow_version_id or await self._version_from_runs(deployment.id)
        if not deployment.inputs and version_id:
            version = await self._version_with_graph(version_id)
            inputs = discover_inputs(version.workflow_api) if version is not None else ()
            deployment = replace(deployment, inputs=inputs, workflow_version_id=version_id)
        if deployment.inputs:
            await self.cache.upsert_deployments([deployment])
        return deployment

    async def _version_from_runs(self, deployment_id: str) -> str | None:
        for run in await self.cache.list_runs(limit=20, deployment_id=deployment_id):
            if run.workflow_version_id:
                return run.workflow_version_id
        return None

    async def _version_with_graph(self, version_id: str) -> WorkflowVersion | None:
        version = await self.cache.get_workflow_version(version_id)
        if version is not None and version.workflow_api is not None:
            return version
        fetched = await self.client.get_workflow_version(version_id)
        await self.cache.upsert_workflow_versions([fetched])
        return fetched

    # --- details --------------------------------------------------------------------------------

    async def workflow_detail(self, workflow_id: str) -> WorkflowDetail:
        workflow, offline, error = await self._one(
            lambda: self.client.get_workflow(workflow_id),
            lambda: self.cache.get_workflow(workflow_id),
            lambda w: self.cache.upsert_workflows([w]),
            f"workflow {workflow_id}",
        )
        if not offline:
            fetched = await self.gather_quietly(self.client.list_workflow_versions(workflow_id))
            if fetched[0]:
                await self.cache.upsert_workflow_versions(fetched[0])
        versions = await self.cache.list_workflow_versions(workflow_id)
        inputs: tuple = ()
        if versions:
            latest = max(versions, key=lambda v: v.version or 0)
            try:
                graph = await self._version_with_graph(latest.id)
                inputs = discover_inputs(graph.workflow_api) if graph else ()
            except (ApiError, *UNREACHABLE) as exc:
                error = error or str(exc)
        deployments = await self.cache.list_deployments(workflow_id=workflow_id)
        return WorkflowDetail(workflow, versions, inputs, deployments, offline, error)

    async def deployment_detail(self, deployment_id: str) -> DeploymentDetail:
        deployment, offline, error = await self._one(
            lambda: self.client.get_deployment(deployment_id),
            lambda: self.cache.get_deployment(deployment_id),
            self._store_deployment,
            f"deployment {deployment_id}",
        )
        try:
            deployment = await self.ensure_inputs(deployment)
        except (ApiError, *UNREACHABLE) as exc:
            error = error or f"inputs unknown: {exc}"
        machine = None
        if deployment.machine_id:
            machine = await self.cache.get_machine(deployment.machine_id)
        if not offline:
            calls: list[Any] = [self.client.list_deployment_runs(deployment_id, RECENT_RUNS)]
            if deployment.machine_id and machine is None:
                calls.append(self.client.get_machine(deployment.machine_id))
            runs, *fetched_machine = await self.gather_quietly(*calls)
            if runs:
                await self.cache.upsert_runs(runs)
            if fetched_machine and fetched_machine[0] is not None:
                machine = fetched_machine[0]
                await self.cache.upsert_machines([machine])
        runs = await self.cache.list_runs(limit=RECENT_RUNS, deployment_id=deployment_id)
        return DeploymentDetail(deployment, machine, runs, offline, error)

    async def _store_deployment(self, deployment: Deployment) -> None:
        if not deployment.inputs:
            known = await self.cache.get_deployment(deployment.id)
            if known is not None and known.inputs:
                deployment = replace(deployment, inputs=known.inputs)
        await self.cache.upsert_deployments([deployment])

    async def machine_detail(self, machine_id: str) -> MachineDetail:
        machine, offline, error = await self._one(
            lambda: self.client.get_machine(machine_id),
            lambda: self.cache.get_machine(machine_id),
            lambda m: self.cache.upsert_machines([m]),
            f"machine {machine_id}",
        )
        deployments = [d for d in await self.cache.list_deployments() if d.machine_id == machine_id]
        return MachineDetail(machine, deployments, offline, error)

    # --- lookup ---------------------------------------------------------------------------------

    async def resolve_deployment(self, id_or_name: str) -> Deployment:
        """By id, `name@environment`, a unique name, or the one production deployment of a name.

        Unknown: NotFoundError. Several and none of them the single production one: InputError
        listing the candidates as `name@environment (id)`.
        """
        key = id_or_name.strip()
        found = await self.cache.get_deployment(key)
        if found is not None:
            return found
        name, _, environment = key.rpartition("@") if "@" in key else (key, "", "")
        candidates = await self._named(name, environment)
        if not candidates:
            await self.refresh_deployments()
            found = await self.cache.get_deployment(key)
            if found is not None:
                return found
            candidates = await self._named(name, environment)
        if not candidates and _UUID.match(key):
            return await self._by_id_from_server(key)
        if not candidates:
            raise NotFoundError(f"no deployment named or with id {plain(key, 80)!r}")
        if len(candidates) == 1:
            return candidates[0]
        production = [d for d in candidates if d.environment == "production"]
        if len(production) == 1 and not environment:
            return production[0]
        listed = ", ".join(f"{plain(d.name, 40)}@{d.environment} ({d.id})" for d in candidates)
        raise InputError(f"{plain(key, 80)!r} is ambiguous: {listed}")

    async def _named(self, name: str, environment: str) -> list[Deployment]:
        found = await self.cache.find_deployments_by_name(name)
        exact = [d for d in found if d.name == name] or found
        return [d for d in exact if not environment or d.environment == environment]

    async def _by_id_from_server(self, deployment_id: str) -> Deployment:
        """An id the cache does not know: ask the server; a server without lookups gets trust."""
        try:
            found = await self.client.get_deployment(deployment_id)
        except NotFoundError:
            raise
        except ApiError:
            return Deployment(id=deployment_id, name=deployment_id)
        await self._store_deployment(found)
        return found

    async def push_workflow(
        self,
        name: str,
        workflow: Any,
        workflow_api: Mapping[str, Any],
        snapshot: Mapping[str, Any] | None = None,
        workflow_id: str | None = None,
    ) -> PushedWorkflow:
        return await self.client.push_workflow(name, workflow, workflow_api, snapshot, workflow_id)


def _fill(known: Deployment, fetched: Deployment) -> Deployment:
    """`fetched`, keeping what `known` had and `fetched` lacks (a name typed by hand stays)."""
    changes = {
        name: getattr(known, name)
        for name in ("workflow_id", "workflow_version_id", "machine_id", "machine_name")
        if getattr(fetched, name) is None and getattr(known, name) is not None
    }
    return replace(fetched, **changes) if changes else fetched
