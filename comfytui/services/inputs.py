"""Deployment inputs: discovery from a workflow graph (§3.1) and value parsing per InputKind.

`discover_inputs` is the one place that reads inputs out of a `workflow_api`; the catalog calls it
whenever a server gives no input list (legacy dialects). `parse_value` turns what a user typed (or
a typed value) into what the API takes; `validate_inputs` checks a whole set against the specs.
A local file for an image/file input parses to a `Path`: the runs service uploads it first.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from comfytui.api.inputs import input_spec, is_input_class
from comfytui.errors import InputError
from comfytui.formats import number_text, range_text
from comfytui.models import InputKind, InputSpec
from comfytui.sanitize import plain
from comfytui.services.upload_check import check_upload

_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}
_FILE_KINDS = {InputKind.IMAGE, InputKind.FILE}
_URL_PREFIXES = ("http://", "https://")


def discover_inputs(workflow_api: object) -> tuple[InputSpec, ...]:
    """The external-input nodes of a ComfyUI API-format graph, in node-id order (§3.1)."""
    if not isinstance(workflow_api, Mapping):
        return ()
    found: dict[str, InputSpec] = {}
    for node_id in sorted(workflow_api, key=_node_order):
        node = workflow_api[node_id]
        if not isinstance(node, Mapping) or not is_input_class(node.get("class_type")):
            continue
        raw = node.get("inputs")
        raw = raw if isinstance(raw, Mapping) else {}
        spec = input_spec({**raw, "class_type": node["class_type"]})
        if spec is not None and spec.input_id not in found:
            found[spec.input_id] = spec
    return tuple(found.values())


def _node_order(node_id: object) -> tuple[int, str]:
    text = str(node_id)
    return (int(text), text) if text.isdigit() else (1 << 62, text)


def _fail(spec: InputSpec, why: str) -> InputError:
    return InputError(f"input {plain(spec.input_id, 60)}: {why}")


def is_url(text: str) -> bool:
    return text.startswith(_URL_PREFIXES) or text.startswith("data:")


def _number(spec: InputSpec, value: Any, integer: bool) -> int | float:
    if isinstance(value, bool):
        raise _fail(spec, "expected a number, got a boolean")
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            value = int(text) if integer and text.lstrip("+-").isdigit() else float(text)
        except ValueError:
            raise _fail(
                spec,
                f"expected {'an integer' if integer else 'a number'}, got {plain(value, 40)!r}",
            ) from None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(spec, f"expected a number, got {plain(value, 40)!r}")
    if integer:
        if isinstance(value, float):
            if not value.is_integer():
                raise _fail(spec, f"expected a whole number, got {value:g}")
            value = int(value)
        return value
    return float(value)


def _in_range(spec: InputSpec, value: int | float) -> int | float:
    if spec.kind is InputKind.SEED and value == -1:
        return value  # -1 = a random seed
    low, high = spec.min_value, spec.max_value
    if spec.kind is InputKind.SEED:
        low = 0 if low is None else min(low, 0)
    if (low is not None and value < low) or (high is not None and value > high):
        raise _fail(spec, f"{number_text(value)} is outside {range_text(low, high)}")
    return value


def _boolean(spec: InputSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _fail(spec, f"expected true or false, got {plain(value, 40)!r}")


def _enum(spec: InputSpec, value: Any) -> str:
    text = str(value).strip()
    if not spec.enum_options or text in spec.enum_options:
        return text
    for option in spec.enum_options:
        if option.casefold() == text.casefold():
            return option
    choices = ", ".join(plain(o, 40) for o in spec.enum_options[:12])
    raise _fail(spec, f"{plain(text, 40)!r} is not one of: {choices}")


def _file(spec: InputSpec, value: Any) -> str | Path:
    """A URL or data URI stays a string; a local file becomes a Path (uploaded before queueing)."""
    if isinstance(value, Path):
        path = value
    else:
        text = str(value).strip()
        if is_url(text):
            return text
        if not text:
            raise _fail(spec, "expected a URL or a local file")
        path = Path(text.removeprefix("@")).expanduser()
    return check_upload(path, input_id=spec.input_id)


def _images(spec: InputSpec, value: Any) -> str:
    """A JSON list of URLs (the node's `images` field), from a list, JSON text or a comma list."""
    items: Any = value
    if isinstance(value, str):
        text = value.strip()
        try:
            items = json.loads(text) if text.startswith("[") else None
        except ValueError:
            raise _fail(spec, "expected a JSON list of image URLs") from None
        if items is None:
            items = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise _fail(spec, "expected a list of image URLs")
    bad = [i for i in items if not is_url(i)]
    if bad:
        raise _fail(spec, f"not a URL: {plain(bad[0], 80)!r}")
    return json.dumps(list(items))


def parse_value(spec: InputSpec, text: Any) -> Any:
    """The API value for `text` (a typed string, or an already typed value); raises InputError."""
    kind = spec.kind
    if kind in (InputKind.NUMBER, InputKind.SLIDER):
        return _in_range(spec, _number(spec, text, integer=False))
    if kind in (InputKind.INTEGER, InputKind.SLIDER_INT, InputKind.SEED):
        return _in_range(spec, _number(spec, text, integer=True))
    if kind is InputKind.BOOLEAN:
        return _boolean(spec, text)
    if kind is InputKind.ENUM:
        return _enum(spec, text)
    if kind in _FILE_KINDS:
        return _file(spec, text)
    if kind is InputKind.IMAGES:
        return _images(spec, text)
    if isinstance(text, str | int | float | bool):
        return text if kind is InputKind.OTHER or isinstance(text, str) else str(text)
    if isinstance(text, Path):
        return str(text)
    raise _fail(spec, f"unsupported value {plain(text, 40)!r}")


def validate_inputs(
    specs: tuple[InputSpec, ...] | list[InputSpec], values: Mapping[str, Any]
) -> dict[str, Any]:
    """Parse every given value against its spec; unknown names are an InputError.

    Inputs left out (or None) are not sent (the server uses the node's default). With no specs
    at all (a server that cannot list inputs) values pass through unchecked.
    """
    if not specs:  # local files (Path values) are still uploaded by the runs service
        return {str(k): v for k, v in values.items() if v is not None}
    by_id = {spec.input_id: spec for spec in specs}
    unknown = [name for name in values if name not in by_id]
    if unknown:
        known = ", ".join(plain(s, 40) for s in by_id)
        raise InputError(f"unknown input {plain(unknown[0], 60)!r}; this deployment takes: {known}")
    return {
        name: parse_value(by_id[name], value) for name, value in values.items() if value is not None
    }


def local_files(values: Mapping[str, Any]) -> dict[str, Path]:
    """The values that are local files to upload before queueing."""
    return {name: value for name, value in values.items() if isinstance(value, Path)}
