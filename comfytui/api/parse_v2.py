"""v2 dialect (api.comfydeploy.com): server JSON -> domain models. The only v2 parsing code.

A run body whose fields all have their plain types is read without pydantic
(`run_fields.plain_run`); anything else goes through the wire models (`wire_v2`).
"""

from __future__ import annotations

from typing import Any

from comfytui.api.inputs import input_specs
from comfytui.api.lazy import lazy_module
from comfytui.api.parse_common import as_list, guard
from comfytui.api.run_fields import plain_run, run_from
from comfytui.errors import ProtocolError
from comfytui.models import Deployment, Machine, PushedWorkflow, Run, Workflow, WorkflowVersion

# the pydantic wire models, loaded on the first body the plain run path cannot take
wire_v2 = lazy_module("comfytui.api.wire_v2")


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
    return run_from(plain_run(data) or wire_v2.RunWire.model_validate(data))


@guard("run list")
def parse_runs(data: Any) -> list[Run]:
    return [
        run_from(plain_run(item) or wire_v2.RunWire.model_validate(item))
        for item in as_list(data, "run list")
    ]


@guard("workflow")
def parse_workflow(data: Any) -> Workflow:
    w = wire_v2.WorkflowWire.model_validate(data)
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
    return wire_v2.VersionWire.model_validate(data).to_version()


@guard("workflow version list")
def parse_versions(data: Any) -> list[WorkflowVersion]:
    return [parse_version(item) for item in as_list(data, "workflow version list")]


@guard("deployment")
def parse_deployment(data: Any) -> Deployment:
    d = wire_v2.DeploymentWire.model_validate(data)
    workflow = d.workflow or wire_v2.Named()
    machine = d.machine or wire_v2.Named()
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
    m = wire_v2.MachineWire.model_validate(data)
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
