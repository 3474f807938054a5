"""What the services hand to the UI and CLI: listings with their freshness, and detail records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from comfytui.errors import ComfyTuiError
from comfytui.models import Deployment, InputSpec, Machine, Run, Workflow, WorkflowVersion

if TYPE_CHECKING:
    from comfytui.services.connectivity import Connectivity

T = TypeVar("T")


def __getattr__(name: str) -> Any:
    """`Connectivity` (asyncio) loaded on first use: the sync offline listings build a Listing."""
    if name == "Connectivity":
        from comfytui.services.connectivity import Connectivity

        return Connectivity
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Connectivity", "DeploymentDetail", "Listing", "MachineDetail", "WorkflowDetail"]


@dataclass(frozen=True)
class Listing(Generic[T]):
    """Items plus where they came from.

    `from_cache`: read from the cache only (`cached_*`, or a refresh that failed).
    `offline`: the server could not be reached (network, 5xx, timeout); items are the cache's.
    `last_sync`: when this kind was last fetched successfully. `error`: one line, for the UI.
    `not_supported`: this server does not offer the listing (self-hosted servers).
    `exception`: the original error, so the CLI can map it to an exit code.
    """

    items: list[T]
    offline: bool = False
    last_sync: datetime | None = None
    error: str | None = None
    not_supported: bool = False
    from_cache: bool = False
    exception: ComfyTuiError | None = field(default=None, compare=False, repr=False)

    @property
    def age(self) -> timedelta | None:
        """How old the data is (None when never synced)."""
        return None if self.last_sync is None else datetime.now(UTC) - self.last_sync

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)


@dataclass(frozen=True)
class WorkflowDetail:
    """A workflow with its versions, the inputs of the latest one and its deployments."""

    workflow: Workflow
    versions: list[WorkflowVersion] = field(default_factory=list)
    inputs: tuple[InputSpec, ...] = ()  # discovered in the latest version's workflow_api
    deployments: list[Deployment] = field(default_factory=list)
    offline: bool = False
    error: str | None = None


@dataclass(frozen=True)
class DeploymentDetail:
    """A deployment with its machine and recent runs (`inputs_known`: inputs were found)."""

    deployment: Deployment
    machine: Machine | None = None
    runs: list[Run] = field(default_factory=list)  # recent runs, newest first
    offline: bool = False
    error: str | None = None
    inputs_known: bool = True  # False: a server that cannot tell (values are sent as typed)


@dataclass(frozen=True)
class MachineDetail:
    """A machine with the deployments that run on it."""

    machine: Machine
    deployments: list[Deployment] = field(default_factory=list)
    offline: bool = False
    error: str | None = None
