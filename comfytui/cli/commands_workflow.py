"""`comfytui workflow push FILE.json --name NAME`: upload a workflow (POST /api/workflow)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from comfytui.cli import output
from comfytui.cli.context import actions, open_session, settings_from
from comfytui.errors import InputError
from comfytui.sanitize import plain

MAX_FILE_BYTES = 20_000_000


def register(
    add: Callable[..., argparse.ArgumentParser], global_flags: Callable[..., None]
) -> None:
    workflow = add("workflow")
    sub = actions(workflow)
    push = sub.add_parser(
        "push",
        help="upload a workflow as a new workflow or a new version",
        description="Upload FILE.json: an API-format workflow ({node id: "
        "{class_type, inputs}}, ComfyUI's 'Save (API)'), or an object with "
        "'workflow_api' and optionally 'workflow' and 'snapshot'.",
    )
    global_flags(push, suppress=True)
    push.add_argument("file", metavar="FILE.json", type=Path)
    push.add_argument("--name", help="workflow name (required unless --workflow-id)")
    push.add_argument(
        "--ui",
        metavar="UI.json",
        type=Path,
        help="the UI graph ('Save' in ComfyUI) to store alongside",
    )
    push.add_argument(
        "--workflow-id", metavar="ID", help="add a version to this existing workflow instead"
    )
    push.add_argument("--json", action="store_true", help="print JSON")
    push.set_defaults(handler=cmd_push)


def read_json(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{path} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"no such file: {plain(str(path), 200)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {plain(str(path), 200)}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{plain(str(path), 200)} is not JSON: {exc.msg} (line {exc.lineno})"
        ) from None


def _is_api_format(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and bool(data)
        and all(isinstance(n, dict) and "class_type" in n for n in data.values())
    )


def split_workflow_file(data: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """(workflow, workflow_api, snapshot) from what ComfyUI saves or a combined object."""
    if _is_api_format(data):
        return {}, data, None
    if isinstance(data, dict) and _is_api_format(data.get("workflow_api")):
        workflow = data.get("workflow") if isinstance(data.get("workflow"), dict) else {}
        snapshot = data.get("snapshot") if isinstance(data.get("snapshot"), dict) else None
        return workflow, data["workflow_api"], snapshot
    if isinstance(data, dict) and isinstance(data.get("nodes"), list):
        raise InputError(
            "this is a UI graph; push the API format ('Save (API)' in ComfyUI) and "
            "pass the graph with --ui"
        )
    raise InputError("not a ComfyUI workflow: expected {node id: {class_type, inputs}}")


async def cmd_push(args: argparse.Namespace) -> int:
    workflow, workflow_api, snapshot = split_workflow_file(read_json(args.file))
    if args.ui is not None:
        ui = read_json(args.ui)
        if not isinstance(ui, dict):
            raise InputError(f"{plain(str(args.ui), 200)} is not a UI graph object")
        workflow = ui
    name = (args.name or "").strip()
    if not name and not args.workflow_id:
        raise InputError("--name NAME is required (or --workflow-id ID to add a version)")
    async with open_session(settings_from(args)) as session:
        workflow_id = args.workflow_id
        if workflow_id:  # 6+ characters of the id, or the workflow's name
            workflow_id = await session.catalog.resolve_id("workflow", workflow_id)
        pushed = await session.catalog.push_workflow(
            name or None,
            workflow,
            workflow_api,
            snapshot=snapshot,
            workflow_id=workflow_id,
        )
    if args.json:
        output.print_json(
            {
                "schema": output.JSON_SCHEMA_VERSION,
                "workflow_id": pushed.workflow_id,
                "version": pushed.version,
            }
        )
    else:
        print(f"{plain(pushed.workflow_id)} version {pushed.version}")
    return 0
