"""`comfytui ls KIND` and `comfytui show KIND ID`: the catalog as tables or JSON."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from comfytui.cli import output
from comfytui.cli.context import note, open_session, settings_from
from comfytui.errors import ComfyTuiError, NetworkError, NotSupportedError
from comfytui.models import Deployment, Run

KINDS = ("workflows", "deployments", "machines", "runs")
SINGULAR = {
    "workflow": "workflows",
    "deployment": "deployments",
    "machine": "machines",
    "run": "runs",
}


def register(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    ls = add("ls", "list workflows, deployments, machines or runs")
    ls.add_argument("kind", choices=KINDS + tuple(SINGULAR), metavar="{" + ",".join(KINDS) + "}")
    ls.add_argument("--json", action="store_true", help="print JSON (schema in docs/cli.md)")
    ls.add_argument("--offline", action="store_true", help="read the local cache only, no network")
    ls.add_argument("--limit", type=_positive_int, metavar="N", help="at most N items")
    ls.set_defaults(handler=cmd_ls)

    show = add("show", "details of one workflow, deployment, machine or run")
    show.add_argument("kind", choices=tuple(SINGULAR), metavar="{" + ",".join(SINGULAR) + "}")
    show.add_argument("id", metavar="ID", help="the id (a deployment also by its unique name)")
    show.add_argument("--json", action="store_true", help="print JSON (schema in docs/cli.md)")
    show.set_defaults(handler=cmd_show)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def listing_error(listing: Any, kind: str) -> ComfyTuiError | None:
    """The error a refresh ran into (None when it worked), with its exit code kept."""
    exc = getattr(listing, "exception", None)
    if isinstance(exc, ComfyTuiError):
        return exc
    if getattr(listing, "not_supported", False):
        return NotSupportedError(f"this server does not list {kind}")
    if getattr(listing, "error", None) or getattr(listing, "offline", False):
        return NetworkError(listing.error or f"could not refresh {kind}")
    return None


async def cmd_ls(args: argparse.Namespace) -> int:
    kind = SINGULAR.get(args.kind, args.kind)
    async with open_session(settings_from(args)) as session:
        catalog = session.catalog
        if args.offline:
            listing = await getattr(catalog, f"cached_{kind}")()
        else:
            listing = await getattr(catalog, f"refresh_{kind}")()
            error = listing_error(listing, kind)
            if error is not None:
                raise error
        items = list(listing.items)[: args.limit] if args.limit else list(listing.items)
        names = {}
        if kind == "runs" and not args.json:
            deployments = await catalog.cached_deployments()
            names = {d.id: d.name for d in deployments.items}
    if args.json:
        output.print_json(
            {
                "schema": output.JSON_SCHEMA_VERSION,
                "kind": kind,
                "offline": bool(args.offline or listing.offline),
                "last_sync": listing.last_sync,
                "items": items,
            }
        )
        return 0
    if args.offline:
        synced = output.short_time(listing.last_sync) if listing.last_sync else "never"
        note(f"offline: cached {kind}, last synced {synced}")
    if not items:
        note(f"no {kind}")
        return 0
    print(output.format_table(output.TABLES[kind], (output.row(kind, i, names) for i in items)))
    return 0


async def cmd_show(args: argparse.Namespace) -> int:
    kind = SINGULAR[args.kind]
    async with open_session(settings_from(args)) as session:
        catalog = session.catalog
        if kind == "deployments":
            found = await catalog.resolve_deployment(args.id)
            item: Any = await catalog.deployment_detail(found.id)
        elif kind == "workflows":
            item = await catalog.workflow_detail(args.id)
        elif kind == "machines":
            item = await catalog.machine_detail(args.id)
        else:
            item = await catalog.get_run(args.id)
    if args.json:
        output.print_json(item)
    elif isinstance(item, Run):
        print(output.run_block(item))
    elif isinstance(item, Deployment):
        print(deployment_block(item))
    else:
        print(detail_block(item))
    return 0


def deployment_block(d: Deployment) -> str:
    text = output.format_pairs(
        [
            ("id", d.id),
            ("name", d.name),
            ("environment", d.environment),
            ("version", d.version),
            ("workflow", d.workflow_id),
            ("workflow version", d.workflow_version_id),
            ("machine", d.machine_name or d.machine_id),
            ("gpu", d.gpu),
            ("description", d.description),
            ("created", d.created_at),
            ("updated", d.updated_at),
        ]
    )
    if d.inputs:
        text += "\n\n" + output.input_rows(d.inputs)
    else:
        text += "\n\n(no inputs)"
    return text


def detail_block(item: Any) -> str:
    """Workflows, machines and detail objects: their simple fields, then lists as tables."""
    data = output.jsonable(item)
    if not isinstance(data, dict):
        return output.fmt(data)
    simple = [(k.replace("_", " "), v) for k, v in data.items() if not isinstance(v, dict | list)]
    nested = [(k, v) for k, v in data.items() if isinstance(v, dict)]
    lists = [(k, v) for k, v in data.items() if isinstance(v, list) and v]
    text = output.format_pairs(simple)
    for key, value in nested:
        text += "\n\n" + key.replace("_", " ") + ":\n" + _indent(detail_block(value))
    for key, value in lists:
        text += "\n\n" + key.replace("_", " ") + ":\n" + _indent(_list_table(value))
    return text


def _list_table(values: list[Any]) -> str:
    if not all(isinstance(v, dict) for v in values):
        return "\n".join(output.fmt(v) for v in values)
    headers = [k for k, v in values[0].items() if not isinstance(v, dict | list)]
    rows = [[output.fmt(v.get(h)) for h in headers] for v in values]
    return output.format_table([h.upper() for h in headers], rows)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
