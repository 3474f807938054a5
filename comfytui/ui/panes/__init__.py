"""The four browse panes, all built on `ResourcePane`."""

from __future__ import annotations

from comfytui.ui.panes.base import ListingLoaded, ResourcePane
from comfytui.ui.panes.deployments import DeploymentsPane
from comfytui.ui.panes.machines import MachinesPane
from comfytui.ui.panes.runs import RunsPane
from comfytui.ui.panes.workflows import WorkflowsPane

PANES: tuple[type[ResourcePane], ...] = (WorkflowsPane, DeploymentsPane, MachinesPane, RunsPane)

__all__ = [
    "PANES",
    "DeploymentsPane",
    "ListingLoaded",
    "MachinesPane",
    "ResourcePane",
    "RunsPane",
    "WorkflowsPane",
]
