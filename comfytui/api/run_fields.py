"""A run body read without pydantic when every field has its plain type; `run_from` builds the Run.

`plain_run(data)` takes a body whose fields are what the server normally sends (text as str,
numbers as int/float, timestamps as `YYYY-MM-DDTHH:MM:SS[.ffffff]` in UTC or without an
offset, inputs as an object) and returns the same values `wire_v2.RunWire` would; for anything
else (a number where text is expected, `"7"` for a float, another offset, a bad id) it returns
None and the pydantic model decides, so its lenient rules stay the only rules. Reading one run
(`show run ID`, each watch poll) then imports no pydantic (~100 ms).
tests/test_client_parse.py checks both paths agree.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from comfytui.api.parse_common import collect_outputs, progress_fraction, seconds
from comfytui.models import Run, RunStatus

TEXT_FIELDS = (
    "deployment_id",
    "workflow_id",
    "workflow_version_id",
    "machine_id",
    "origin",
    "gpu",
    "live_status",
)
NUMBER_FIELDS = ("progress", "cold_start_duration", "run_duration")
TIME_FIELDS = ("created_at", "updated_at", "queued_at", "started_at", "ended_at")
# what fromisoformat and pydantic read alike; "+00:00" and "Z" are UTC, no offset is UTC too
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6}|\.\d{3})?(Z|\+00:00)?")
_EXACT_FLOAT = 2**53
_FALLBACK = object()


def _number(value: Any) -> Any:
    if value is None:
        return None
    if type(value) is float and math.isfinite(value):
        return value
    if type(value) is int and -_EXACT_FLOAT < value < _EXACT_FLOAT:
        return float(value)
    return _FALLBACK


def _time(value: Any) -> Any:
    if value is None:
        return None
    if type(value) is not str or _ISO.fullmatch(value) is None:
        return _FALLBACK
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return _FALLBACK
    return parsed.replace(tzinfo=UTC)


def plain_run(data: Any) -> SimpleNamespace | None:
    """The RunWire fields of `data`, when reading them needs no lenient rule; else None."""
    if not isinstance(data, Mapping):
        return None
    run_id = data.get("id")
    if type(run_id) is not str or not run_id:
        return None
    fields: dict[str, Any] = {
        "id": run_id,
        "status": data.get("status"),
        "outputs": data.get("outputs"),
    }
    for name in TEXT_FIELDS:
        value = data.get(name)
        if value is not None and type(value) is not str:
            return None
        fields[name] = value
    for name in NUMBER_FIELDS:
        fields[name] = _number(data.get(name))
    for name in TIME_FIELDS:
        fields[name] = _time(data.get(name))
    inputs = data.get("workflow_inputs")
    if inputs is not None:
        if type(inputs) is not dict or not all(type(k) is str for k in inputs):
            return None
        inputs = dict(inputs)
    fields["workflow_inputs"] = inputs
    if any(value is _FALLBACK for value in fields.values()):
        return None
    return SimpleNamespace(**fields)


def run_from(w: Any) -> Run:
    """The domain Run of the wire fields (`plain_run`'s or `RunWire`'s)."""
    files, texts, error = collect_outputs(w.outputs)
    status = RunStatus.parse(w.status)
    return Run(
        id=w.id,
        status=status,
        raw_status=w.status if isinstance(w.status, str) else "",
        deployment_id=w.deployment_id,
        workflow_id=w.workflow_id,
        workflow_version_id=w.workflow_version_id,
        machine_id=w.machine_id,
        origin=w.origin,
        gpu=w.gpu,
        inputs=w.workflow_inputs or {},
        progress=progress_fraction(w.progress),
        # the server keeps its last "Executing ..." after the end: an ended run has none
        live_status=None if status.is_terminal else w.live_status,
        created_at=w.created_at,
        updated_at=w.updated_at,
        queued_at=w.queued_at,
        started_at=w.started_at,
        ended_at=w.ended_at,
        outputs=files,
        texts=texts,
        error=error,
        cold_start_duration=seconds(w.cold_start_duration),
        run_duration=seconds(w.run_duration),
    )
