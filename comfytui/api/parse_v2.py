"""v2 dialect (api.comfydeploy.com): server JSON -> domain models. The only v2 parsing code."""

from __future__ import annotations

from typing import Any

from comfytui.api.inputs import input_specs
from comfytui.api.parse_common import (
    Id,
    Lenient,
    Timestamp,
    Wire,
    as_list,
    collect_outputs,
    guard,
    progress_fraction,
    seconds,
)
from comfytui.errors import ProtocolError
from comfytui.models import (
    Deployment,
    Machine,
    PushedWorkflow,
    Run,
    RunStatus,
    Workflow,
    WorkflowVersion,
)


class RunWire(Wire):
    id: Id
    status: Any = None
    deployment_id: Lenient[str] = None
    workflow_id: Lenient[str] = None
    workflow_version_id: Lenient[str] = None
    machine_id: Lenient[str] = None
    origin: Lenient[str] = None
    gpu: Lenient[str] = None
    workflow_inputs: Lenient[dict[str, Any]] = None
    progress: Lenient[float] = None
    live_status: Lenient[str] = None
    created_at: Timestamp = None
    updated_at: Timestamp = None
    queued_at: Timestamp = None
    started_at: Timestamp = None
    ended_at: Timestamp = None
    cold_start_duration: Lenient[float] = None
    run_duration: Lenient[float] = None
    outputs: Any = None

    def to_run(self) -> Run:
        files, texts, error = collect_outputs(self.outputs)
        status = RunStatus.parse(self.status)
        return Run(
            id=self.id,
            status=status,
            raw_status=self.status if isinstance(self.status, str) else "",
            deployment_id=self.deployment_id,
            workflow_id=self.workflow_id,
            workflow_version_id=self.workflow_version_id,
            machine_id=self.machine_id,
            origin=self.origin,
            gpu=self.gpu,
            inputs=self.workflow_inputs or {},
            progress=progress_fraction(self.progress),
            # the server keeps its last "Executing ..." after the end: an ended run has none
            live_status=None if status.is_terminal else self.live_status,
            created_at=self.created_at,
            updated_at=self.updated_at,
            queued_at=self.queued_at,
            started_at=self.started_at,
            ended_at=self.ended_at,
            outputs=files,
            texts=texts,
            error=error,
            cold_start_duration=seconds(self.cold_start_duration),
            run_duration=seconds(self.run_duration),
        )


class Named(Wire):
    id: Lenient[str] = None
    name: Lenient[str] = None


class WorkflowWire(Wire):
    id: Id
    name: Lenient[str] = None
    description: Lenient[str] = None
    selected_machine_id: Lenient[str] = None
    pinned: Lenient[bool] = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class VersionWire(Wire):
    id: Id
    workflow_id: Lenient[str] = None
    version: Lenient[int] = None
    comment: Lenient[str] = None
    created_at: Timestamp = None
    updated_at: Timestamp = None
    workflow_api: Lenient[dict[str, Any]] = None

    def to_version(self) -> WorkflowVersion:
        return WorkflowVersion(
            id=self.id,
            workflow_id=self.workflow_id or "",
            version=self.version or 0,
            comment=self.comment,
            created_at=self.created_at,
            updated_at=self.updated_at,
            workflow_api=self.workflow_api,
        )


class DeploymentWire(Wire):
    id: Id
    environment: Lenient[str] = None
    workflow_id: Lenient[str] = None
    workflow_version_id: Lenient[str] = None
    machine_id: Lenient[str] = None
    description: Lenient[str] = None
    gpu: Lenient[str] = None
    workflow: Lenient[Named] = None
    machine: Lenient[Named] = None
    version: Any = None  # an int, or the version object {version: int, ...}
    input_types: Any = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class MachineWire(Wire):
    id: Id
    name: Lenient[str] = None
    status: Lenient[str] = None
    type: Lenient[str] = None
    gpu: Lenient[str] = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


def _version_number(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("version")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


@guard("run")
def parse_run(data: Any) -> Run:
    return RunWire.model_validate(data).to_run()


@guard("run list")
def parse_runs(data: Any) -> list[Run]:
    return [RunWire.model_validate(item).to_run() for item in as_list(data, "run list")]


@guard("workflow")
def parse_workflow(data: Any) -> Workflow:
    w = WorkflowWire.model_validate(data)
    return Workflow(
        id=w.id,
        name=w.name or w.id,
        description=w.description,
        machine_id=w.selected_machine_id,
        pinned=bool(w.pinned),
        created_at=w.created_at,
        updated_at=w.updated_at,
    )


@guard("workflow list")
def parse_workflows(data: Any) -> list[Workflow]:
    return [parse_workflow(item) for item in as_list(data, "workflow list")]


@guard("workflow version")
def parse_version(data: Any) -> WorkflowVersion:
    return VersionWire.model_validate(data).to_version()


@guard("workflow version list")
def parse_versions(data: Any) -> list[WorkflowVersion]:
    return [parse_version(item) for item in as_list(data, "workflow version list")]


@guard("deployment")
def parse_deployment(data: Any) -> Deployment:
    d = DeploymentWire.model_validate(data)
    workflow = d.workflow or Named()
    machine = d.machine or Named()
    return Deployment(
        id=d.id,
        name=workflow.name or d.description or d.id,
        environment=d.environment or "production",
        workflow_id=d.workflow_id or workflow.id,
        workflow_version_id=d.workflow_version_id,
        machine_id=d.machine_id or machine.id,
        machine_name=machine.name,
        version=_version_number(d.version),
        description=d.description,
        gpu=d.gpu,
        inputs=input_specs(d.input_types),
        created_at=d.created_at,
        updated_at=d.updated_at,
    )


@guard("deployment list")
def parse_deployments(data: Any) -> list[Deployment]:
    return [parse_deployment(item) for item in as_list(data, "deployment list")]


@guard("machine")
def parse_machine(data: Any) -> Machine:
    m = MachineWire.model_validate(data)
    return Machine(
        id=m.id,
        name=m.name or m.id,
        status=(m.status or "unknown").lower(),
        type=m.type,
        gpu=m.gpu,
        created_at=m.created_at,
        updated_at=m.updated_at,
    )


@guard("machine list")
def parse_machines(data: Any) -> list[Machine]:
    return [parse_machine(item) for item in as_list(data, "machine list")]


def _text_field(data: Any, key: str, what: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"unexpected {what} (no {key})")
    return value


def parse_queued(data: Any) -> str:
    """`{"run_id": ...}` of a queue request (both dialects)."""
    return _text_field(data, "run_id", "queue reply")


def parse_uploaded(data: Any) -> str:
    """`{"file_url": ...}` of `POST /api/file/upload`."""
    return _text_field(data, "file_url", "upload reply")


@guard("push reply")
def parse_pushed(data: Any) -> PushedWorkflow:
    """`{"workflow_id", "version"}` of `POST /api/workflow` (both dialects)."""
    workflow_id = _text_field(data, "workflow_id", "push reply")
    return PushedWorkflow(workflow_id=workflow_id, version=_version_number(data["version"]) or 0)
