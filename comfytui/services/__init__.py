"""Services: the layer the TUI and the CLI talk to (catalog, runs, inputs, outputs)."""

from __future__ import annotations

from comfytui.services.listing import DeploymentDetail, Listing, MachineDetail, WorkflowDetail
from comfytui.services.session import Session

__all__ = ["DeploymentDetail", "Listing", "MachineDetail", "Session", "WorkflowDetail"]
