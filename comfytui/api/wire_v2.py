"""The v2 wire models (pydantic): what the server sent, validated leniently (`api/wire.py`).

Loaded by `parse_v2` on first need; a plainly typed run body never needs them.
"""

from __future__ import annotations

from typing import Any

from comfytui.api.run_fields import run_from
from comfytui.api.wire import Id, Lenient, Timestamp, Wire
from comfytui.models import Run, WorkflowVersion


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
        return run_from(self)


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
