"""Legacy dialect (hosted v1 and the self-hosted open-source server): JSON -> domain models.

Runs, workflow versions and push replies share their field names with v2 (the legacy run row
is a subset of v2's `WorkflowRunModel`; self-host adds `workflow {org_id, user_id}` and may
send `outputs[].data` as a list), so those parsers are v2's, re-exported here. Deployments
(`deployment_id`, `inputs_definition` with `enum_values`) and presigned uploads are legacy-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from comfytui.api.inputs import input_specs
from comfytui.api.parse_common import as_list, guard
from comfytui.api.parse_v2 import (
    parse_machine,
    parse_machines,
    parse_pushed,
    parse_queued,
    parse_run,
    parse_runs,
    parse_version,
    parse_versions,
    parse_workflow,
    parse_workflows,
)
from comfytui.api.wire import Id, Lenient, Wire
from comfytui.errors import ProtocolError
from comfytui.models import Deployment

__all__ = [
    "PresignedUpload",
    "parse_deployment",
    "parse_deployments",
    "parse_input_list",
    "parse_machine",
    "parse_machines",
    "parse_presigned",
    "parse_pushed",
    "parse_queued",
    "parse_run",
    "parse_runs",
    "parse_version",
    "parse_versions",
    "parse_workflow",
    "parse_workflows",
]


class DeploymentWire(Wire):
    deployment_id: Id
    name: Lenient[str] = None
    environment: Lenient[str] = None
    inputs_definition: Any = None


@dataclass(frozen=True, slots=True)
class PresignedUpload:
    upload_url: str
    download_url: str
    file_id: str = ""


@guard("deployment")
def parse_deployment(data: Any, environment: str | None = None) -> Deployment:
    """One entry of `GET /api/deployment`: `{deployment_id, name, inputs_definition}`."""
    if isinstance(data, dict) and "deployment_id" not in data and "id" in data:
        data = {**data, "deployment_id": data["id"]}
    d = DeploymentWire.model_validate(data)
    return Deployment(
        id=d.deployment_id,
        name=d.name or d.deployment_id,
        environment=d.environment or environment or "production",
        inputs=input_specs(d.inputs_definition),
    )


@guard("deployment list")
def parse_deployments(data: Any, environment: str | None = None) -> list[Deployment]:
    return [parse_deployment(item, environment) for item in as_list(data, "deployment list")]


@guard("input list")
def parse_input_list(data: Any) -> tuple:
    """`GET /api/deployment/{id}/inputs`: a list of InputDef."""
    return input_specs(as_list(data, "input list"))


def parse_presigned(data: Any) -> PresignedUpload:
    """`GET /api/upload-url`: `{upload_url, file_id, download_url}`."""
    if isinstance(data, dict):
        up, down, fid = data.get("upload_url"), data.get("download_url"), data.get("file_id")
        if isinstance(up, str) and up and isinstance(down, str) and down:
            return PresignedUpload(up, down, fid if isinstance(fid, str) else "")
    raise ProtocolError("unexpected upload-url reply (no upload_url)")
