"""Formatting for the command line: aligned tables, key/value blocks and stable JSON.

Everything that came from a server goes through `sanitize.plain` before it reaches a terminal, so
a run name cannot set the window title or write the clipboard. JSON is written with
`ensure_ascii=True`, which encodes every control character as `\\uXXXX`: the data stays exact and
the terminal stays safe.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from comfytui import formats
from comfytui.models import Deployment, InputSpec, Machine, Run, SavedOutput, Workflow
from comfytui.sanitize import plain

# Version of the --json shapes documented in docs/cli.md; bumped only on incompatible changes.
JSON_SCHEMA_VERSION = 1
NAME_WIDTH = 40


def cell_len(text: str) -> int:
    """Terminal cells of `text`: its length when ASCII, else rich's wide-character table.

    rich (~25 ms to import) loads only for a table that holds non-ASCII text."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len as cells

    return cells(text)


# --- JSON -------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """Models to plain JSON values: dataclass fields in order, ISO dates, enum values.

    Fields declared with `repr=False` (raw workflow graphs) are left out: they are large and not
    part of the documented shapes.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def print_json(data: Any, out: TextIO | None = None) -> None:
    stream = out or sys.stdout
    stream.write(json.dumps(jsonable(data), ensure_ascii=True, indent=2) + "\n")
    stream.flush()


# --- tables -----------------------------------------------------------------------------------


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - cell_len(text), 0)


def format_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns separated by two spaces, aligned by terminal cells (CJK and emoji count double)."""
    body = [[plain(cell) for cell in row] for row in rows]
    widths = [cell_len(h) for h in headers]
    for row in body:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], cell_len(cell))
    lines = []
    for row in [list(headers), *body]:
        cells = [_pad(cell, widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def format_pairs(pairs: Iterable[tuple[str, Any]]) -> str:
    """`key: value` lines with the values aligned; empty values are skipped."""
    kept = [(k, fmt(v)) for k, v in pairs if v not in (None, "", (), [])]
    width = max((len(k) for k, _ in kept), default=0) + 1
    return "\n".join(f"{k + ':':<{width}} {v}" for k, v in kept)


def fmt(value: Any) -> str:
    """One cell of human output: dates in local time, None as '-', text made safe."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return formats.number_text(value)
    return plain(value)


def short_time(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M")


def duration(run: Run) -> str:
    """How long a finished run took, as the TUI shows it ("23h59m"); "-" while it runs."""
    start = run.started_at or run.created_at
    if start is None or run.ended_at is None:
        return "-"
    return formats.duration_text(start, run.ended_at, run.ended_at)


# --- rows for `ls` ----------------------------------------------------------------------------

TABLES: dict[str, tuple[str, ...]] = {
    "workflows": ("ID", "NAME", "UPDATED"),
    "deployments": ("ID", "NAME", "ENV", "VERSION", "MACHINE", "INPUTS"),
    "machines": ("ID", "NAME", "STATUS", "GPU", "TYPE"),
    "runs": ("ID", "STATUS", "DEPLOYMENT", "CREATED", "DURATION"),
}


def row(kind: str, item: Any, names: dict[str, str] | None = None) -> list[str]:
    """The table row of one listed item; `names` maps deployment ids to names for runs."""
    if kind == "workflows":
        wf: Workflow = item
        return [wf.id, plain(wf.name, NAME_WIDTH), short_time(wf.updated_at or wf.created_at)]
    if kind == "deployments":
        d: Deployment = item
        inputs = ",".join(spec.input_id for spec in d.inputs)
        return [
            d.id,
            plain(d.name, NAME_WIDTH),
            plain(d.environment),
            "-" if d.version is None else str(d.version),
            plain(d.machine_name or d.machine_id or "-", 24),
            plain(inputs or "-", NAME_WIDTH),
        ]
    if kind == "machines":
        m: Machine = item
        return [m.id, plain(m.name, NAME_WIDTH), plain(m.status), fmt(m.gpu), fmt(m.type)]
    r: Run = item
    dep = (names or {}).get(r.deployment_id or "", r.deployment_id or "-")
    return [r.id, run_status(r), plain(dep, NAME_WIDTH), short_time(r.created_at), duration(r)]


def run_status(run: Run) -> str:
    text = run.status.value
    if not run.is_terminal and run.progress is not None:
        text += f" {run.progress * 100:.0f}%"
    return text


# --- detail blocks for `show` -----------------------------------------------------------------


def input_rows(specs: Sequence[InputSpec]) -> str:
    rows = []
    for spec in specs:
        if spec.enum_options:
            allowed = "|".join(spec.enum_options)
        elif spec.min_value is not None or spec.max_value is not None:
            allowed = formats.range_text(spec.min_value, spec.max_value)
        else:
            allowed = ""
        default = "-" if spec.default is None else formats.value_text(spec.default)
        rows.append([spec.input_id, spec.kind.value, default, allowed, spec.label])
    return format_table(("INPUT", "KIND", "DEFAULT", "ALLOWED", "LABEL"), rows)


def run_block(run: Run, queue_position: int | None = None) -> str:
    """`show run`: the run's fields, inputs as typed (`cfg = 7`), outputs and texts;
    `queue_position` (runs waiting before it) when the server told."""
    text = format_pairs(
        [
            ("id", run.id),
            ("status", run_status(run)),
            ("queue position", None if queue_position is None else f"{queue_position} ahead"),
            ("live status", None if run.is_terminal else run.live_status),
            ("deployment", run.deployment_id),
            ("workflow", run.workflow_id),
            ("machine", run.machine_id),
            ("gpu", run.gpu),
            ("origin", run.origin),
            ("created", run.created_at),
            ("started", run.started_at),
            ("ended", run.ended_at),
            ("duration", None if duration(run) == "-" else duration(run)),
            *split_pairs(run),
            ("error", run.error),
        ]
    )
    if run.inputs:
        text += "\ninputs:\n" + "\n".join(
            f"  {plain(k)} = {plain(input_text(v), 200)}" for k, v in run.inputs.items()
        )
    if run.outputs:
        text += "\noutputs:\n" + "\n".join(
            f"  {plain(o.filename)}  {plain(o.url)}" for o in run.outputs
        )
    if run.texts:
        text += "\ntexts:\n" + "\n".join(f"  {plain(t, 500)}" for t in run.texts)
    return text


def input_text(value: Any) -> str:
    """A run input in `show run`: numbers as typed (`7`, not `7.0`), the rest as JSON."""
    if isinstance(value, int | float):  # bool too: `true`, `false`
        return formats.value_text(value)
    return json.dumps(value, ensure_ascii=True)


def split_pairs(run: Run) -> list[tuple[str, str | None]]:
    """`queue`, `cold start`, `execution` lines (the run screen's time bar); "(now)" marks the
    phase a running run is in; none when nothing tells."""
    from comfytui.services.timeline import split

    parts = split(run)
    if not parts.known:
        return []
    return [
        (
            phase.label,
            "-"
            if phase.seconds is None
            else formats.seconds_text(phase.seconds) + (" (now)" if phase.current else ""),
        )
        for phase in parts.phases
    ]


def saved_line(saved: SavedOutput) -> str:
    return plain(saved.path)
