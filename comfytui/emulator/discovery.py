"""Input discovery from a `workflow_api` graph, as the servers do it (reference §3.1)."""

from __future__ import annotations

import json
from typing import Any

PREFIX = "ComfyUIDeployExternal"

# v2 discovery map (S5 utils/inputs.py): class_type -> InputModel.type
V2_TYPES: dict[str, str] = {
    f"{PREFIX}Text": "string",
    f"{PREFIX}TextAny": "string",
    f"{PREFIX}TextSingleLine": "string",
    f"{PREFIX}Image": "string",
    f"{PREFIX}ImageAlpha": "string",
    f"{PREFIX}Number": "float",
    f"{PREFIX}NumberInt": "integer",
    f"{PREFIX}Lora": "string",
    f"{PREFIX}Checkpoint": "string",
    "ComfyDeployWebscoketImageInput": "binary",
    f"{PREFIX}ImageBatch": "string",
    f"{PREFIX}Video": "string",
    f"{PREFIX}Boolean": "boolean",
    f"{PREFIX}NumberSlider": "float",
    f"{PREFIX}NumberSliderInt": "integer",
    f"{PREFIX}Enum": "string",
    f"{PREFIX}EXR": "string",
    f"{PREFIX}Audio": "string",
    f"{PREFIX}File": "string",
}

# hosted v1 InputDef class enum (15 names, S3); the exact list is not public, see the report.
LEGACY_CLASSES: frozenset[str] = frozenset(
    f"{PREFIX}{name}"
    for name in (
        "Text",
        "TextAny",
        "Image",
        "ImageAlpha",
        "ImageBatch",
        "Number",
        "NumberInt",
        "NumberSlider",
        "NumberSliderInt",
        "Boolean",
        "Enum",
        "Checkpoint",
        "Lora",
        "FaceModel",
        "Video",
    )
)


def _nodes(workflow_api: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not isinstance(workflow_api, dict):
        return []
    return [node for node in workflow_api.values() if isinstance(node, dict)]


def _enum_options(raw: dict[str, Any]) -> list[str] | None:
    options = raw.get("options")
    if isinstance(options, list):
        return [str(item) for item in options]
    try:
        parsed = json.loads(options) if isinstance(options, str) else None
    except ValueError:
        return None
    return [str(item) for item in parsed] if isinstance(parsed, list) else None


def v2_input_types(workflow_api: dict[str, Any] | None) -> list[dict[str, Any]]:
    """`input_types` of a v2 DeploymentModel: raw node inputs plus the normalised keys."""
    found: list[dict[str, Any]] = []
    for node in _nodes(workflow_api):
        class_type = node.get("class_type")
        if class_type not in V2_TYPES:
            continue
        raw = dict(node.get("inputs") or {})
        entry = {
            **raw,
            "class_type": class_type,
            "type": V2_TYPES[class_type],
            "input_id": raw.get("input_id", ""),
            "default_value": raw.get("default_value"),
            "min_value": raw.get("min_value"),
            "max_value": raw.get("max_value"),
            "display_name": raw.get("display_name", ""),
            "description": raw.get("description", ""),
        }
        if class_type == f"{PREFIX}Enum":
            entry["enum_options"] = _enum_options(raw)
        found.append(entry)
    return found


def legacy_input_defs(workflow_api: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Hosted v1 `InputDef` list: only the documented keys, `enum_values` for enums."""
    found: list[dict[str, Any]] = []
    for node in _nodes(workflow_api):
        class_type = node.get("class_type")
        if class_type not in LEGACY_CLASSES:
            continue
        raw = node.get("inputs") or {}
        entry: dict[str, Any] = {
            "class_type": class_type,
            "input_id": raw.get("input_id", ""),
            "default_value": raw.get("default_value", ""),
        }
        for key in ("min_value", "max_value", "display_name", "description"):
            if raw.get(key) is not None:
                entry[key] = raw[key]
        if class_type == f"{PREFIX}Enum":
            entry["enum_values"] = _enum_options(raw) or []
        found.append(entry)
    return found


def node_classes(workflow_api: dict[str, Any] | None) -> list[str]:
    """Class types in execution order (node ids sorted numerically when possible)."""
    if not isinstance(workflow_api, dict):
        return []

    def order(key: str) -> tuple[int, str]:
        return (int(key), "") if key.isdigit() else (1 << 30, key)

    return [
        str(workflow_api[key].get("class_type", "Node"))
        for key in sorted(workflow_api, key=order)
        if isinstance(workflow_api[key], dict)
    ]
