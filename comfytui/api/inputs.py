"""Deployment inputs: node class_type -> InputKind, and one server/node entry -> InputSpec.

Used by both dialect parsers (v2 `input_types`, legacy `inputs_definition`) and usable for
discovery from a `workflow_api` (`input_spec({**node["inputs"], "class_type": ...})`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from comfytui.models import InputKind, InputSpec

_PREFIX = "ComfyUIDeployExternal"

# §3.3 of the API reference; names without the common prefix.
CLASS_KINDS: dict[str, InputKind] = {
    "Text": InputKind.TEXT,
    "TextAny": InputKind.TEXT,
    "TextSingleLine": InputKind.TEXT_LINE,
    "Image": InputKind.IMAGE,
    "ImageAlpha": InputKind.IMAGE,
    "ImageBatch": InputKind.IMAGES,
    "Number": InputKind.NUMBER,
    "NumberInt": InputKind.INTEGER,
    "NumberSlider": InputKind.SLIDER,
    "NumberSliderInt": InputKind.SLIDER_INT,
    "Boolean": InputKind.BOOLEAN,
    "Enum": InputKind.ENUM,
    "Seed": InputKind.SEED,
    "Checkpoint": InputKind.FILE,
    "Lora": InputKind.FILE,
    "FaceModel": InputKind.FILE,
    "Video": InputKind.FILE,
    "Vid": InputKind.FILE,
    "Audio": InputKind.FILE,
    "EXR": InputKind.FILE,
    "File": InputKind.FILE,
}

# v2 `type` column, for class names this table does not know yet.
_TYPE_KINDS = {
    "string": InputKind.TEXT,
    "integer": InputKind.INTEGER,
    "float": InputKind.NUMBER,
    "number": InputKind.NUMBER,
    "boolean": InputKind.BOOLEAN,
}


def is_input_class(class_type: object) -> bool:
    """True for the external-input node classes (plus the websocket image input)."""
    return isinstance(class_type, str) and (
        class_type.removeprefix(_PREFIX) in CLASS_KINDS
        and class_type.startswith(_PREFIX)
        or class_type == "ComfyDeployWebscoketImageInput"
    )


def input_kind(class_type: object, type_hint: object = None) -> InputKind:
    if isinstance(class_type, str) and class_type.startswith(_PREFIX):
        kind = CLASS_KINDS.get(class_type[len(_PREFIX) :])
        if kind is not None:
            return kind
    if isinstance(type_hint, str):
        return _TYPE_KINDS.get(type_hint.lower(), InputKind.OTHER)
    return InputKind.OTHER


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _default(entry: Mapping[str, Any]) -> Any:
    value = entry.get("default_value")
    if value is None or value == "":
        url = entry.get("default_value_url")
        if isinstance(url, str) and url:
            return url
    return value


def _options(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """`enum_options` (v2), `enum_values` (legacy) or the node's `options` JSON string."""
    for key in ("enum_options", "enum_values", "options"):
        value = entry.get(key)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list) and value:
            return tuple(str(v) for v in value if isinstance(v, str | int | float))
    return ()


def input_spec(entry: object) -> InputSpec | None:
    """An InputSpec from a server input entry or node inputs (+ class_type); None if unusable."""
    if not isinstance(entry, Mapping):
        return None
    input_id = entry.get("input_id")
    if not isinstance(input_id, str | int) or isinstance(input_id, bool) or input_id == "":
        return None
    class_type = _text(entry.get("class_type"))
    return InputSpec(
        input_id=str(input_id),
        class_type=class_type,
        kind=input_kind(class_type, entry.get("type")),
        default=_default(entry),
        min_value=_number(entry.get("min_value")),
        max_value=_number(entry.get("max_value")),
        step=_number(entry.get("step")),
        display_name=_text(entry.get("display_name")),
        description=_text(entry.get("description")),
        enum_options=_options(entry),
    )


def input_specs(entries: object) -> tuple[InputSpec, ...]:
    if not isinstance(entries, list):
        return ()
    specs = (input_spec(entry) for entry in entries)
    return tuple(spec for spec in specs if spec is not None)
