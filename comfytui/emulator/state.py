"""The emulator's mutable world: seed entities, runs, uploads, faults, logs and settings."""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from comfytui.emulator import seed as seed_module
from comfytui.emulator.common import api_key_for, now
from comfytui.emulator.discovery import node_classes
from comfytui.emulator.faults import FaultSet, FaultSpec
from comfytui.emulator.lifecycle import RunRecord

LOG_LIMIT = 20_000


@dataclass(slots=True)
class StoredFile:
    content: bytes
    content_type: str


class RunError(Exception):
    """A run could not be created; `what` names the missing entity."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class EmulatorState:
    """Everything the routes read and write. Thread-safe where tests touch it from outside."""

    def __init__(
        self,
        dialect: str = "v2",
        speed: float = 1.0,
        seed: int = 0,
        faults: Iterable[FaultSpec] = (),
    ) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.initial = (dialect, speed, tuple(faults))
        self.dialect, self.speed = dialect, speed
        self.api_key = api_key_for(seed)
        self.storage_url = ""
        self.faults = FaultSet(seed)
        self.log: deque[dict[str, Any]] = deque(maxlen=LOG_LIMIT)
        self.in_flight: dict[tuple[str, str], int] = {}  # (method, path) -> being answered
        self.webhooks: list[dict[str, Any]] = []
        self.reset()

    def reset(self) -> None:
        """Back to the start: seed entities, no runs or uploads beyond the seed, the faults,
        dialect and speed given at construction, empty logs."""
        with self.lock:
            self.dialect, self.speed, faults = self.initial
            data = seed_module.build(self.seed)
            self.workflows = data.workflows
            self.versions = data.versions
            self.deployments = data.deployments
            self.machines = data.machines
            self.runs = data.runs
            self.files: dict[str, StoredFile] = {}
            self.presigned: dict[str, str] = {}  # storage path -> signed content type
            self.auth_requests: set[str] = set()
            self.faults.clear()
            for spec in faults:
                self.faults.add(spec)
            self.log.clear()
            self.webhooks.clear()

    # -- lookups ----------------------------------------------------------------------------------
    def workflow_name(self, workflow_id: str | None) -> str:
        workflow = self.workflows.get(workflow_id or "")
        return workflow["name"] if workflow else ""

    def deployment_runs(self, deployment_id: str) -> list[RunRecord]:
        runs = [r for r in self.runs.values() if r.deployment_id == deployment_id]
        return sorted(runs, key=lambda r: r.created, reverse=True)

    def add_fault(self, spec: FaultSpec) -> None:
        self.faults.add(spec)

    # -- runs -------------------------------------------------------------------------------------
    def create_run(
        self,
        deployment_id: str,
        inputs: dict[str, Any] | None,
        *,
        webhook: str | None = None,
        intermediate: bool = False,
        origin: str = "api",
        gpu: str | None = None,
    ) -> RunRecord:
        """Queue a run of a deployment; raises RunError naming what is missing."""
        deployment = self.deployments.get(deployment_id)
        if deployment is None:
            raise RunError("Deployment")
        version = self.versions.get(deployment["workflow_version_id"])
        if version is None:
            raise RunError("Workflow version")
        machine = self.machines.get(deployment["machine_id"])
        if machine is None:
            raise RunError("Machine")
        error = None
        if machine["status"] == "error":
            error = f"Machine {machine['name']!r} is in error state: the container failed to start"
        with self.lock:
            record = RunRecord(
                id=str(uuid.uuid4()),
                deployment_id=deployment_id,
                workflow_id=deployment["workflow_id"],
                workflow_version_id=version["id"],
                machine_id=machine["id"],
                created=now(),
                inputs=dict(inputs or {}),
                nodes=tuple(node_classes(version["workflow_api"])) or ("KSampler",),
                speed=self.speed,
                error=error,
                output_format=deployment["output_format"],
                origin=origin,
                number=len(self.runs) + 1,
                gpu=gpu or machine["gpu"],
                machine_type=machine["type"],
                webhook=webhook,
                webhook_intermediate=intermediate,
            )
            self.runs[record.id] = record
        return record

    def enter(self, key: tuple[str, str]) -> int:
        """One more request of (method, path) being answered; returns how many are now."""
        with self.lock:
            self.in_flight[key] = self.in_flight.get(key, 0) + 1
            return self.in_flight[key]

    def leave(self, key: tuple[str, str]) -> None:
        with self.lock:
            self.in_flight[key] -= 1

    def record_request(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.log.append(entry)

    def requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.log)
