"""Details of one workflow, deployment or machine, and push (lookups: services/resolve.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from comfytui.errors import ApiError, NotFoundError, NotSupportedError
from comfytui.models import Deployment, PushedWorkflow, WorkflowVersion
from comfytui.services.base import UNREACHABLE, CatalogBase
from comfytui.services.inputs import discover_inputs
from comfytui.services.listing import DeploymentDetail, MachineDetail, WorkflowDetail

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
