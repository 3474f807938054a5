"""Domain types shared by every layer: plain frozen dataclasses, no I/O.

The API parsers (`comfytui/api/parse_*.py`) build these from server JSON and the cache converts
them to and from rows; everything above (services, UI, CLI) only ever sees these types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple


class RunStatus(StrEnum):
    """Run status values of all dialects (§1.2, §2.2); anything else parses as UNKNOWN."""

    NOT_STARTED = "not-started"
    QUEUED = "queued"
    STARTED = "started"
    RUNNING = "running"
    UPLOADING = "uploading"
    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"
    #: not a server value: the server answered 404 for a run we knew (kept in the cache)
    NOT_FOUND = "not-found"

    @classmethod
    def parse(cls, value: object) -> RunStatus:
        """Map a server value to a status; unknown or non-string values become UNKNOWN."""
        if isinstance(value, str):
            try:
                return cls(value.strip().lower())
            except ValueError:
                return cls.UNKNOWN
        return cls.UNKNOWN

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES: frozenset[RunStatus] = frozenset(
    {
        RunStatus.SUCCESS,
        RunStatus.FAILED,
        RunStatus.TIMEOUT,
        RunStatus.CANCELLED,
        RunStatus.NOT_FOUND,
    }
)


class InputKind(StrEnum):
    """How the run form and the CLI treat an input (derived from its node class_type)."""

    TEXT = "text"  # multi-line text
    TEXT_LINE = "text_line"  # single-line text
    NUMBER = "number"  # float
    INTEGER = "integer"
    SLIDER = "slider"  # float with min/max
    SLIDER_INT = "slider_int"  # int with min/max
    BOOLEAN = "boolean"
    ENUM = "enum"
    SEED = "seed"  # int, -1 means random
    IMAGE = "image"  # URL, local path uploaded first, or data URI
    IMAGES = "images"  # JSON list of URLs
    FILE = "file"  # URL of a file / video / audio / model
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of a run's log (server text: data, never markup)."""

    text: str
    level: str = "info"
    timestamp: datetime | None = None


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One input of a deployment, from a server input list or from workflow discovery (§3)."""

    input_id: str
    class_type: str
    kind: InputKind
    default: Any = None
    min_value: float | None = None
    max_value: float | None = None
    step: float | None = None
    display_name: str = ""
    description: str = ""
    enum_options: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.display_name or self.input_id


@dataclass(frozen=True, slots=True)
class Workflow:
    """A workflow (a ComfyUI graph kept on the server, with versions)."""

    id: str
    name: str
    description: str | None = None
    machine_id: str | None = None
    pinned: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WorkflowVersion:
    """One saved version of a workflow; `workflow_api` is the graph when fetched."""

    id: str
    workflow_id: str
    version: int
    comment: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    workflow_api: dict[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Deployment:
    """A workflow version deployed to a machine in an environment, with its inputs."""

    id: str
    name: str  # the workflow's name; legacy lists give a deployment name
    environment: str = "production"
    workflow_id: str | None = None
    workflow_version_id: str | None = None
    machine_id: str | None = None
    machine_name: str | None = None
    version: int | None = None
    description: str | None = None
    gpu: str | None = None
    inputs: tuple[InputSpec, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Machine:
    """A GPU machine (serverless or classic) that runs deployments."""

    id: str
    name: str
    status: str = "unknown"  # not-started|ready|building|error|running|paused|starting
    type: str | None = None
    gpu: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A media item of a run output (image, gif, file) with its download URL."""

    url: str
    filename: str
    kind: str = "images"  # the data key it came from: images, gifs, files, ...
    type: str | None = None  # ComfyUI's output|temp
    subfolder: str | None = None
    output_id: str | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a deployment: status, timestamps, inputs and what it produced."""

    id: str
    status: RunStatus
    raw_status: str = ""
    deployment_id: str | None = None
    workflow_id: str | None = None
    workflow_version_id: str | None = None
    machine_id: str | None = None
    origin: str | None = None
    gpu: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict, compare=False)
    progress: float | None = None  # 0..1
    live_status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    queued_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    outputs: tuple[OutputFile, ...] = ()
    texts: tuple[str, ...] = ()
    error: str | None = None  # first error found in the outputs of a failed run
    cold_start_duration: float | None = None  # seconds, queued -> ComfyUI ready (v2 server)
    run_duration: float | None = None  # seconds, started -> ended (v2 server)

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal


_STATUS_BY_VALUE: dict[str, RunStatus] = {s.value: s for s in RunStatus}
_fromtimestamp = datetime.fromtimestamp


def _ts(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


class RunSummary(NamedTuple):
    """What a run list shows (the Runs table: created, deployment, status, progress, took, GPU,
    id, and the filter's origin) — no inputs, outputs or other blob fields.

    A tuple built straight from the cache's row (no per-field work: the list of 200 costs about
    what fetching it does); times are UTC epoch seconds, and `status`, `created_at`,
    `started_at`, `ended_at` convert on access, so code written for `Run` reads it unchanged.
    The full `Run` is loaded by id when one is opened.
    """

    id: str
    status_value: str
    deployment_id: str | None = None
    created_ts: float | None = None
    started_ts: float | None = None
    ended_ts: float | None = None
    progress: float | None = None
    live_status: str | None = None
    gpu: str | None = None
    origin: str | None = None
    cold_start_s: float | None = None  # the server's cold_start_duration, when it sent one

    @property
    def cold_start_duration(self) -> float | None:
        return self.cold_start_s

    @property
    def status(self) -> RunStatus:
        return _STATUS_BY_VALUE.get(self.status_value, RunStatus.UNKNOWN)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def created_at(self) -> datetime | None:
        ts = self.created_ts
        return None if ts is None else _fromtimestamp(ts, UTC)

    @property
    def started_at(self) -> datetime | None:
        ts = self.started_ts
        return None if ts is None else _fromtimestamp(ts, UTC)

    @property
    def ended_at(self) -> datetime | None:
        ts = self.ended_ts
        return None if ts is None else _fromtimestamp(ts, UTC)

    @classmethod
    def from_run(cls, run: Run) -> RunSummary:
        """The summary of a full run (a watched run's update, painted in place)."""
        return cls(
            run.id,
            run.status.value,
            run.deployment_id or None,
            _ts(run.created_at),
            _ts(run.started_at),
            _ts(run.ended_at),
            run.progress,
            run.live_status,
            run.gpu or None,
            run.origin or None,
            run.cold_start_duration,
        )


@dataclass(frozen=True, slots=True)
class SavedOutput:
    """An output file saved under the data folder."""

    run_id: str
    url: str
    path: str
    sha256: str
    size: int
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class PushedWorkflow:
    """What the server answered to a workflow push."""

    workflow_id: str
    version: int


class PlannedState(StrEnum):
    """Where a planned run of a sweep stands (written before each queue request is sent)."""

    PLANNED = "planned"  # not sent yet
    SENDING = "sending"  # queue request under way (or the process died during it)
    QUEUED = "queued"  # the server answered with a run id
    NOT_SENT = "not-sent"  # never reached the server (refused, cancelled before sending)
    UNKNOWN = "unknown"  # may have started: not found on the server after an unclear end


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """One run of a sweep, recorded before it is sent (never sent twice)."""

    sweep_id: str
    index: int
    inputs: dict[str, Any]  # what is (or was) sent
    varying: dict[str, Any]  # the values of the inputs that vary across the sweep
    state: PlannedState = PlannedState.PLANNED
    run_id: str | None = None
    sent_at: datetime | None = None
    note: str | None = None  # why not-sent / unknown, one line


@dataclass(frozen=True, slots=True)
class Sweep:
    """Runs started together (a sweep over input values, or one run): what was planned."""

    id: str
    deployment_id: str
    deployment_name: str
    created_at: datetime
    total: int
    varying: tuple[str, ...] = ()
    kind: str = "sweep"  # "sweep" | "single" (a run started alone gets the same durability)
    state: str = "active"  # active | done | cancelled
    counts: Mapping[str, int] = field(default_factory=dict)  # PlannedState value -> runs


@dataclass(frozen=True, slots=True)
class ItemRef:
    """An item the user has in front of them (the focused row, the screen's subject):
    its kind (`workflow`, `deployment`, `run`, `machine`), its id, and the object if at hand."""

    kind: str
    id: str
    item: Any = field(default=None, compare=False)


def output_key(url: str) -> str:
    """What names an output file across sessions: its URL's path.

    The host and port (the demo emulator's port changes every launch) and the query (signed
    storage URLs carry a fresh signature on every fetch) vary; the path does not.
    """
    from urllib.parse import urlsplit

    return urlsplit(url).path or url
