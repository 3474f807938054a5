"""`NAME=VALUE` input assignments, as the CLI (`-i`) and the TUI's `:run` both take them.

`split_assignments(["seed=3"])` -> `[("seed", "3")]`; `build_values(deployment, pairs)` checks
each against the deployment's specs (nothing is sent before this passes). `NAME=@path` of an
image or file input becomes a Path, which the runs service uploads first. A deployment whose
inputs are unknown (some self-hosted servers) gets the text as is (`on_note` says so).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from comfytui.errors import InputError
from comfytui.models import Deployment, InputKind, InputSpec
from comfytui.sanitize import plain
from comfytui.services import inputs as service_inputs
from comfytui.services.upload_check import check_upload

FILE_KINDS = (InputKind.IMAGE, InputKind.FILE)


def split_assignments(items: Sequence[str], flag: str = "-i") -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"{flag} expects NAME=VALUE, got {plain(item, 60)!r}")
        pairs.append((name.strip(), value))
    return pairs


def build_values(
    deployment: Deployment,
    pairs: Sequence[tuple[str, str]],
    on_note: Callable[[str], object] | None = None,
) -> dict[str, Any]:
    specs = {spec.input_id: spec for spec in deployment.inputs}
    if not specs:
        if pairs and on_note is not None:
            on_note(f"inputs of {deployment.name} are unknown; values are sent unchecked")
        return dict(pairs)
    values: dict[str, Any] = {}
    for name, text in pairs:
        spec = specs.get(name)
        if spec is None:
            known = ", ".join(specs)
            raise InputError(
                f"unknown input {plain(name, 40)!r} for {plain(deployment.name, 40)} "
                f"(inputs: {plain(known, 200)})"
            )
        if spec.kind in FILE_KINDS and text.startswith("@"):
            values[name] = _local_file(spec, text[1:])
        else:
            values[name] = service_inputs.parse_value(spec, text)
    return service_inputs.validate_inputs(deployment.inputs, values)


def _local_file(spec: InputSpec, text: str) -> Path:
    return check_upload(Path(text).expanduser(), input_id=spec.input_id)
