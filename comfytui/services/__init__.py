"""Services: the layer the TUI and the CLI talk to (catalog, runs, inputs, outputs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comfytui.services.listing import DeploymentDetail, Listing, MachineDetail, WorkflowDetail
    from comfytui.services.session import Session

__all__ = ["DeploymentDetail", "Listing", "MachineDetail", "Session", "WorkflowDetail"]


def __getattr__(name: str) -> Any:
    """Loaded on first use: `services.offline` (the sync listings) imports no asyncio."""
    if name == "Session":
        from comfytui.services.session import Session

        return Session
    if name in ("DeploymentDetail", "Listing", "MachineDetail", "WorkflowDetail"):
        from comfytui.services import listing

        return getattr(listing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
