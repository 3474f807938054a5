"""Rows <-> models in one place: columns for what queries filter and sort on, JSON for the rest.

Timestamps are stored as UTC epoch seconds (REAL): they sort correctly and convert back cheaply.
The JSON blobs hold only non-default values with short keys, so rows stay small and decoding fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from comfytui.models import (
    Deployment,
    InputKind,
    InputSpec,
    Machine,
    OutputFile,
    Run,
    RunStatus,
    RunSummary,
    SavedOutput,
    Workflow,
    WorkflowVersion,
)


def _make_dumps() -> Callable[[Any], str]:
    """Compact JSON; the C encoder built once (json.dumps builds a new one on every call)."""
    fallback = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
    if c_make_encoder is None:
        return fallback
    chunks = c_make_encoder(None, str, encode_basestring, None, ":", ",", False, False, True)
    return lambda value: "".join(chunks(value, 0))


_dumps = _make_dumps()
_loads = json.JSONDecoder().decode
_fromtimestamp = datetime.fromtimestamp
_STATUSES = {s.value: s for s in RunStatus}
_KINDS = {k.value: k for k in InputKind}


def dumps(value: Any) -> str:
    return _dumps(value)


def loads(text: str | None) -> Any:
    return None if text is None else _loads(text)


def to_ts(value: datetime | None) -> float | None:
    """Epoch seconds; a naive datetime is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def from_ts(value: float | None) -> datetime | None:
    return None if value is None else _fromtimestamp(value, UTC)


def _compact(data: dict[str, Any]) -> str:
    return _dumps({k: v for k, v in data.items() if v is not None and v != "" and v != []})


# --- workflows, versions, machines ------------------------------------------------------------- -

WORKFLOW_COLUMNS = "id, name, updated_at, data"


def workflow_row(w: Workflow) -> tuple[Any, ...]:
    blob = {"d": w.description, "m": w.machine_id, "c": to_ts(w.created_at)}
    if w.pinned:
        blob["p"] = True
    return (w.id, w.name, to_ts(w.updated_at), _compact(blob))


def workflow_from_row(row: Any) -> Workflow:
    id_, name, updated, data = row
    b = _loads(data)
    return Workflow(
        id_, name, b.get("d"), b.get("m"), b.get("p", False), from_ts(b.get("c")), from_ts(updated)
    )


VERSION_COLUMNS = "id, workflow_id, version, data"


def version_row(v: WorkflowVersion) -> tuple[Any, ...]:
    blob = {"c": v.comment, "ca": to_ts(v.created_at), "u": to_ts(v.updated_at)}
    blob["api"] = v.workflow_api
    return (v.id, v.workflow_id, v.version, _compact(blob))


def version_from_row(row: Any) -> WorkflowVersion:
    id_, workflow_id, version, data = row
    b = _loads(data)
    return WorkflowVersion(
        id_,
        workflow_id,
        version,
        b.get("c"),
        from_ts(b.get("ca")),
        from_ts(b.get("u")),
        b.get("api"),
    )


MACHINE_COLUMNS = "id, name, status, data"


def machine_row(m: Machine) -> tuple[Any, ...]:
    blob = {"t": m.type, "g": m.gpu, "c": to_ts(m.created_at), "u": to_ts(m.updated_at)}
    return (m.id, m.name, m.status, _compact(blob))


def machine_from_row(row: Any) -> Machine:
    id_, name, status, data = row
    b = _loads(data)
    return Machine(
        id_,
        name,
        status or "unknown",
        b.get("t"),
        b.get("g"),
        from_ts(b.get("c")),
        from_ts(b.get("u")),
    )


# --- deployments ---------------------------------------------------------------------------------

DEPLOYMENT_COLUMNS = "id, name, workflow_id, environment, data"


def spec_to_json(s: InputSpec) -> dict[str, Any]:
    return {
        "id": s.input_id,
        "ct": s.class_type,
        "k": s.kind.value,
        "dv": s.default,
        "min": s.min_value,
        "max": s.max_value,
        "st": s.step,
        "dn": s.display_name,
        "de": s.description,
        "en": list(s.enum_options) or None,
    }


def spec_from_json(d: dict[str, Any]) -> InputSpec:
    return InputSpec(
        d["id"],
        d.get("ct", ""),
        _KINDS.get(d.get("k", ""), InputKind.OTHER),
        d.get("dv"),
        d.get("min"),
        d.get("max"),
        d.get("st"),
        d.get("dn", ""),
        d.get("de", ""),
        tuple(d.get("en") or ()),
    )


def deployment_row(d: Deployment) -> tuple[Any, ...]:
    blob = {
        "v": d.workflow_version_id,
        "m": d.machine_id,
        "mn": d.machine_name,
        "n": d.version,
        "d": d.description,
        "g": d.gpu,
        "i": [spec_to_json(s) for s in d.inputs] or None,
        "c": to_ts(d.created_at),
        "u": to_ts(d.updated_at),
    }
    return (d.id, d.name, d.workflow_id, d.environment, _compact(blob))


def deployment_from_row(row: Any) -> Deployment:
    id_, name, workflow_id, environment, data = row
    b = _loads(data)
    return Deployment(
        id_,
        name,
        environment or "production",
        workflow_id,
        b.get("v"),
        b.get("m"),
        b.get("mn"),
        b.get("n"),
        b.get("d"),
        b.get("g"),
        tuple(spec_from_json(s) for s in b.get("i", ())),
        from_ts(b.get("c")),
        from_ts(b.get("u")),
    )


# --- runs ----------------------------------------------------------------------------------------

RUN_COLUMNS = (
    "id, status, deployment_id, workflow_id, created_at, updated_at, progress, live_status, "
    "inputs, data, started_at, ended_at, gpu, origin, cold_start"
)


def _output_json(o: OutputFile) -> list[Any]:
    return [o.url, o.filename, o.kind, o.type, o.subfolder, o.output_id]


_STATUS_VALUES = {s: s.value for s in RunStatus}  # faster than the enum's `.value` property


def run_row(r: Run) -> tuple[Any, ...]:
    # Unrolled on purpose: this runs once per run of every upsert (10,000 runs: ~35 ms).
    blob: dict[str, Any] = {}
    status = _STATUS_VALUES[r.status]
    if r.raw_status and r.raw_status != status:
        blob["rs"] = r.raw_status
    if r.workflow_version_id:
        blob["v"] = r.workflow_version_id
    if r.machine_id:
        blob["m"] = r.machine_id
    if r.error:
        blob["err"] = r.error
    if r.queued_at is not None:
        blob["q"] = to_ts(r.queued_at)
    if r.outputs:
        blob["out"] = [_output_json(o) for o in r.outputs]
    if r.texts:
        blob["tx"] = list(r.texts)
    if r.run_duration is not None:
        blob["rd"] = r.run_duration
    return (
        r.id,
        status,
        r.deployment_id or None,  # '' would win over a known id in the merge (coalesce)
        r.workflow_id or None,
        to_ts(r.created_at),
        to_ts(r.updated_at),
        r.progress,
        r.live_status,
        _dumps(r.inputs) if r.inputs else None,
        _dumps(blob),
        None if r.started_at is None else to_ts(r.started_at),
        None if r.ended_at is None else to_ts(r.ended_at),
        r.gpu or None,
        r.origin or None,
        r.cold_start_duration,
    )


def run_from_row(row: Any) -> Run:
    id_, status, dep, wf, created, updated, progress, live, inputs, data = row[:10]
    s, e, gpu, origin, cs = row[10:]
    b = _loads(data)
    st = _STATUSES.get(status, RunStatus.UNKNOWN)
    out = b.get("out")
    q = b.get("q")
    return Run(
        id_,
        st,
        b.get("rs", status),
        dep,
        wf,
        b.get("v"),
        b.get("m"),
        origin,
        gpu,
        _loads(inputs) if inputs else {},
        progress,
        live,
        None if created is None else _fromtimestamp(created, UTC),
        None if updated is None else _fromtimestamp(updated, UTC),
        None if q is None else _fromtimestamp(q, UTC),
        None if s is None else _fromtimestamp(s, UTC),
        None if e is None else _fromtimestamp(e, UTC),
        tuple([OutputFile(*o) for o in out]) if out else (),
        tuple(b.get("tx", ())),
        b.get("err"),
        cs,
        b.get("rd"),
    )


# What a run list shows (`RunSummary`, in its field order): plain columns only, no JSON (the
# blob and the inputs are not even read).
RUN_SUMMARY_COLUMNS = (
    "id, status, deployment_id, created_at, started_at, ended_at, progress, live_status, gpu, "
    "origin, cold_start"
)
_tuple_new = tuple.__new__


def summaries_from_rows(rows: list[Any]) -> list[RunSummary]:
    """Rows of RUN_SUMMARY_COLUMNS as `RunSummary` tuples: no per-field work (~0.1 µs a row)."""
    return [_tuple_new(RunSummary, row) for row in rows]


# --- saved outputs -------------------------------------------------------------------------------

OUTPUT_COLUMNS = "run_id, url, path, sha256, size, content_type"


def output_row(o: SavedOutput) -> tuple[Any, ...]:
    return (o.run_id, o.url, o.path, o.sha256, o.size, o.content_type)


def output_from_row(row: Any) -> SavedOutput:
    return SavedOutput(*row)
