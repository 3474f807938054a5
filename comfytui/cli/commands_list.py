"""`comfytui ls KIND` and `comfytui show KIND ID`: the catalog as tables or JSON."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from comfytui.cli import output
from comfytui.cli.context import note, open_session, settings_from
from comfytui.errors import ComfyTuiError, NetworkError, NotSupportedError
from comfytui.formats import no_match_text
from comfytui.models import Deployment, Machine, Run, RunStatus, Workflow
from comfytui.sanitize import plain

WAITING = (RunStatus.NOT_STARTED, RunStatus.QUEUED)  # runs with a queue position
DEFAULT_RUNS = 200  # newest first; --limit asks for more or fewer
KINDS = ("workflows", "deployments", "machines", "runs")
SINGULAR = {
    "workflow": "workflows",
    "deployment": "deployments",
    "machine": "machines",
    "run": "runs",
}


def register(add: Callable[..., argparse.ArgumentParser], global_flags: object = None) -> None:
    ls = add("ls")
    ls.add_argument("kind", choices=KINDS + tuple(SINGULAR), metavar="{" + ",".join(KINDS) + "}")
    ls.add_argument(
        "--filter",
        metavar="WORDS",
        default="",
        help="only items whose row holds every word (any case); @ENV, /NAME and run status "
        "words match exactly, e.g. --filter 'failed /txt2img'",
    )
    ls.add_argument("--json", action="store_true", help="print JSON (schema in docs/cli.md)")
    ls.add_argument("--offline", action="store_true", help="read the local cache only, no network")
    ls.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="at most N items (runs: default 200, newest first)",
    )
    ls.set_defaults(handler=cmd_ls)

    show = add("show")
    show.add_argument("kind", choices=tuple(SINGULAR), metavar="{" + ",".join(SINGULAR) + "}")
    show.add_argument(
        "id",
        metavar="ID",
        help="the id or 6+ characters of it; a deployment also NAME or NAME@ENV",
    )
    show.add_argument("--json", action="store_true", help="print JSON (schema in docs/cli.md)")
    show.add_argument(
        "--offline", action="store_true", help="read the local cache only, no network"
    )
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


def cmd_ls(args: argparse.Namespace) -> Any:
    """`ls KIND --offline` reads the cache synchronously when it can (no event loop at all);
    otherwise (and online) the async path: a coroutine for `run_cli` to run."""
    settings = settings_from(args)
    if args.offline:
        from comfytui.services.offline import offline_listing

        kind = SINGULAR.get(args.kind, args.kind)
        want_names = kind == "runs" and (not args.json or bool(args.filter))
        found = offline_listing(settings, kind, limit=args.limit or DEFAULT_RUNS, names=want_names)
        if found is not None:
            return _print_listing(args, kind, found.listing, found.names, "")
    return _cmd_ls(args, settings)


async def _cmd_ls(args: argparse.Namespace, settings: Any) -> int:
    kind = SINGULAR.get(args.kind, args.kind)
    async with open_session(settings, offline=args.offline) as session:
        catalog = session.catalog
        options = {"limit": args.limit or DEFAULT_RUNS} if kind == "runs" else {}
        if args.offline:
            listing = await getattr(catalog, f"cached_{kind}")(**options)
        else:
            listing = await getattr(catalog, f"refresh_{kind}")(**options)
            error = listing_error(listing, kind)
            # a server without this listing (self-hosted): what this machine knows, if anything
            if error is not None and not (listing.not_supported and listing.items):
                raise error
        items = list(listing.items)
        label = session.dialect_label
        names = {}
        if kind == "runs" and (not args.json or args.filter):
            deployments = await catalog.cached_deployments()
            names = {d.id: d.name for d in deployments.items}
    return _print_listing(args, kind, listing, names, label, items)


def _print_listing(
    args: argparse.Namespace,
    kind: str,
    listing: Any,
    names: dict[str, str],
    label: str,
    items: list[Any] | None = None,
) -> int:
    items = list(listing.items) if items is None else items
    query = args.filter.strip()
    if query:
        items = [i for i in items if matches(kind, i, query, names)]
    items = items[: args.limit] if args.limit else items
    if query and not items:
        note(no_match_text(kind, query))  # also with --json: stderr, the JSON stays data
    if args.json:
        output.print_json(
            {
                "schema": output.JSON_SCHEMA_VERSION,
                "kind": kind,
                "offline": bool(args.offline or listing.offline),
                "last_sync": listing.last_sync,
                "not_supported": bool(listing.not_supported),
                "items": items,
            }
        )
        return 0
    if args.offline:
        synced = output.short_time(listing.last_sync) if listing.last_sync else "never"
        note(f"offline: cached {kind}, last synced {synced}")
    elif listing.not_supported:
        server = f"this server ({label})" if label else "this server"
        note(f"{server} does not list {kind}; showing the ones known on this machine")
    if not items:
        if not query:
            note(f"no {kind}")
        return 0
    print(output.format_table(output.TABLES[kind], (output.row(kind, i, names) for i in items)))
    return 0


def matches(kind: str, item: Any, query: str, names: dict[str, str]) -> bool:
    """Every word of `query` is in the row's text (any case) or, for `@env`, `/name` and run
    status words, matches exactly: the panes' `/` filter (`services.filter_words`)."""
    from comfytui.services.filter_words import query_matches  # lazy: services pull in httpx

    text = " ".join(output.row(kind, item, names))
    name = names.get(item.deployment_id or "", item.deployment_id) if kind == "runs" else None
    return query_matches(kind, item, query, text, name)


async def cmd_show(args: argparse.Namespace) -> int:
    kind = SINGULAR[args.kind]
    async with open_session(settings_from(args), offline=args.offline) as session:
        catalog = session.catalog
        detail: Any = None
        failure: str | None = None
        if kind == "deployments":
            found = await catalog.resolve_deployment(args.id)
            detail = await catalog.deployment_detail(found.id)
            item: Any = detail.deployment
            extra = {"machine": detail.machine, "runs": detail.runs}
        elif kind == "workflows":
            detail = await catalog.workflow_detail(await catalog.resolve_id("workflow", args.id))
            item = detail.workflow
            extra = {
                "versions": detail.versions,
                "inputs": detail.inputs,
                "deployments": detail.deployments,
            }
        elif kind == "machines":
            detail = await catalog.machine_detail(await catalog.resolve_id("machine", args.id))
            item, extra = detail.machine, {"deployments": detail.deployments}
        else:
            from comfytui.services.timeline import split

            run_id = await catalog.resolve_id("run", args.id)
            item, failure = await catalog.run_detail(run_id)
            extra = {} if item is None else {"timeline": split(item).as_json()}
            if item is not None:
                waits = failure is None and not args.offline and item.status in WAITING
                extra["queue_position"] = await _queue_position(session, run_id) if waits else None
    if detail is not None:
        failure = detail.error if detail.offline else None
    stale = failure is not None and not args.offline
    if failure is not None:
        note(f"{'offline' if args.offline else 'showing the cached copy'}: {failure}")
    elif detail is not None and detail.error:
        note(detail.error)
    if args.json:
        output.print_json({**output.jsonable(item), **output.jsonable(extra)})
    elif isinstance(item, Run):
        print(output.run_block(item, extra.get("queue_position")))
    else:
        print(detail_block(kind, item, extra))
    return 4 if stale else 0  # the server failed: the copy printed may be out of date


async def _queue_position(session: Any, run_id: str) -> int | None:
    """How many runs wait before a waiting one (what the run screen shows); None when the
    server does not tell (legacy, self-hosted) or fails: the rest of `show` stands."""
    try:
        return await session.logs.queue_position(run_id)
    except ComfyTuiError:
        return None


def detail_block(kind: str, item: Any, extra: dict[str, Any]) -> str:
    if kind == "deployments":
        d: Deployment = item
        machine = extra.get("machine")
        text = output.format_pairs(
            [
                ("id", d.id),
                ("name", d.name),
                ("environment", d.environment),
                ("version", d.version),
                ("workflow", d.workflow_id),
                ("workflow version", d.workflow_version_id),
                (
                    "machine",
                    f"{machine.name} ({machine.status})"
                    if machine
                    else d.machine_name or d.machine_id,
                ),
                ("gpu", d.gpu),
                ("description", d.description),
                ("created", d.created_at),
                ("updated", d.updated_at),
            ]
        )
        text += "\n\n" + (output.input_rows(d.inputs) if d.inputs else "(no inputs)")
        runs = extra.get("runs") or []
        if runs:
            rows = [output.row("runs", r, {d.id: d.name}) for r in runs[:10]]
            text += "\n\nrecent runs:\n" + _indent(output.format_table(output.TABLES["runs"], rows))
        return text
    if kind == "workflows":
        w: Workflow = item
        text = output.format_pairs(
            [
                ("id", w.id),
                ("name", w.name),
                ("description", w.description),
                ("machine", w.machine_id),
                ("pinned", w.pinned),
                ("created", w.created_at),
                ("updated", w.updated_at),
            ]
        )
        versions = sorted(extra.get("versions") or [], key=lambda v: v.version or 0, reverse=True)
        if versions:
            rows = [
                [str(v.version), v.id, output.short_time(v.created_at), output.fmt(v.comment)]
                for v in versions
            ]
            text += "\n\nversions:\n" + _indent(
                output.format_table(("VERSION", "ID", "CREATED", "COMMENT"), rows)
            )
        if extra.get("inputs"):
            text += "\n\ninputs (latest version):\n" + _indent(output.input_rows(extra["inputs"]))
        return text + _deployments(extra.get("deployments") or [])
    m: Machine = item
    text = output.format_pairs(
        [
            ("id", m.id),
            ("name", m.name),
            ("status", m.status),
            ("type", m.type),
            ("gpu", m.gpu),
            ("created", m.created_at),
            ("updated", m.updated_at),
        ]
    )
    return text + _deployments(extra.get("deployments") or [])


def _deployments(items: list[Deployment]) -> str:
    if not items:
        return ""
    rows = [[d.id, plain(d.name, output.NAME_WIDTH), plain(d.environment)] for d in items]
    return "\n\ndeployments:\n" + _indent(output.format_table(("ID", "NAME", "ENV"), rows))


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
