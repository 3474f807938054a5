"""Sweeps from the CLI: `run` with several values, `rerun RUN_ID`, `sweep ls|show|cancel|retry`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import Any

from comfytui.cli import output
from comfytui.cli.commands_list import _positive_int
from comfytui.cli.context import note, open_session, settings_from
from comfytui.cli.progress import Progress
from comfytui.errors import InputError, RunFailedError
from comfytui.models import Deployment, PlannedState, Run, RunStatus, SavedOutput, Sweep
from comfytui.sanitize import plain
from comfytui.services.sweep_plan import SweepPlan, build_plan

WATCHERS = 16  # runs of a sweep followed at once


def add_sweep_flags(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--count",
        type=_positive_int,
        default=1,
        metavar="N",
        help="N runs of each combination (a seed input not given gets a random seed per run)",
    )
    cmd.add_argument(
        "--yes", "-y", action="store_true", help="send a sweep of several runs without asking"
    )
    cmd.add_argument(
        "--concurrency",
        type=_positive_int,
        default=None,
        metavar="K",
        help="queue requests in flight at once (default: setting sweep_concurrency, 4)",
    )


def register(add: Callable[..., argparse.ArgumentParser], global_flags: object = None) -> None:
    from comfytui.cli.commands_run import add_run_flags

    rerun = add("rerun", "run a past run again with its inputs (-i changes some; lists sweep)")
    rerun.add_argument("run_id", metavar="RUN_ID")
    add_run_flags(rerun)
    add_sweep_flags(rerun)
    rerun.set_defaults(handler=cmd_rerun)

    sweep = add("sweep", "list, show, cancel or retry sweeps (runs started together)")
    sub = sweep.add_subparsers(dest="sweep_command", metavar="ACTION", required=True)
    ls = sub.add_parser("ls", help="the sweeps in the cache, newest first")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(handler=cmd_sweep_ls)
    for name, handler, text in (
        ("show", cmd_sweep_show, "status counts and every run with its varying values"),
        ("cancel", cmd_sweep_cancel, "stop sending; cancel its queued and running runs"),
        ("retry", cmd_sweep_retry, "send its not-sent and unknown runs (unknown: looked up first)"),
    ):
        cmd = sub.add_parser(name, help=text, description=text)
        cmd.add_argument("sweep_id", metavar="ID", help="sweep id (or its first 8 characters)")
        cmd.add_argument("--json", action="store_true", help="print JSON")
        if name in ("show", "retry"):
            cmd.add_argument("--wait", action="store_true", help="follow the runs to their end")
        if name == "retry":
            cmd.add_argument("--concurrency", type=_positive_int, default=None, metavar="K")
            cmd.add_argument("--yes", "-y", action="store_true", help="do not ask")
        cmd.set_defaults(handler=handler)


# --- starting -----------------------------------------------------------------------------------


def plan_for(
    deployment: Deployment,
    base: dict[str, Any],
    pairs: Sequence[tuple[str, str]],
    count: int,
) -> SweepPlan:
    """The runs `-i` (over `base`, a past run's inputs) and `--count` stand for; sends nothing."""
    from comfytui.services.inputs import parse_value

    def unknown(name: str) -> InputError:
        known = ", ".join(s.input_id for s in deployment.inputs)
        return InputError(
            f"unknown input {plain(name, 40)!r} for {plain(deployment.name, 40)} "
            f"(inputs: {plain(known, 200)})"
        )

    plan = build_plan(deployment.inputs, pairs, count=count, parse=parse_value, unknown=unknown)
    if base:
        given = dict(plan.values)
        values = {name: given.pop(name, [value]) for name, value in base.items()}
        plan = SweepPlan({**values, **given}, plan.count, plan.random_seeds)
    if count > 1:
        if plan.random_seeds:
            note(f"{', '.join(plan.random_seeds)}: a fresh random seed per run (give -i to fix it)")
        elif not any(s.kind.value == "seed" for s in deployment.inputs):
            note(
                f"{plain(deployment.name, 40)} lists no seed input: "
                f"the {count} copies are identical"
            )
    return plan


def confirm(plan: SweepPlan, deployment: Deployment, yes: bool) -> None:
    """Say what will be sent; ask on a terminal; refuse (exit 2) with no terminal and no --yes."""
    what = f"{plan.describe()} of {plain(deployment.name, 60)} ({deployment.environment})"
    if yes:
        note(f"sending {what}")
        return
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise InputError(
            f"{what}: add --yes to send them (no terminal to confirm on); nothing sent"
        )
    sys.stderr.write(f"send {what}? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise InputError("not confirmed; nothing sent")


async def start_sweep(
    args: argparse.Namespace, session: Any, deployment: Deployment, plan: SweepPlan
) -> int:
    confirm(plan, deployment, args.yes)
    sweep = await session.sweeps.create(deployment, plan)
    progress = Progress()
    if not args.json:
        print(sweep.id, flush=True)

    def changed(_p: Any) -> None:
        pass

    progress.line(f"sweep {sweep.id[:8]}: sending {sweep.total} runs")
    sweep = await session.sweeps.send(sweep.id, concurrency=args.concurrency, on_change=changed)
    progress.line(_counts_line(sweep, {}))
    wait = args.wait or args.out is not None or args.timeout is not None
    return await finish(args, session, sweep, progress, wait)


async def finish(
    args: argparse.Namespace, session: Any, sweep: Sweep, progress: Progress, wait: bool
) -> int:
    runs: dict[str, Run] = await session.sweeps.runs(sweep.id)
    saved: list[SavedOutput] = []
    if wait:
        runs, saved = await follow(session, sweep, progress, getattr(args, "timeout", None))
    progress.close()
    sweep = await session.sweeps.get(sweep.id)
    planned = await session.sweeps.planned(sweep.id)
    out_dir = getattr(args, "out", None)
    from comfytui.cli.commands_run import copy_outputs

    paths = copy_outputs(saved, out_dir) if out_dir is not None else [s.path for s in saved]
    if args.json:
        output.print_json(
            {
                "schema": output.JSON_SCHEMA_VERSION,
                "sweep": sweep_json(sweep, planned, runs),
                "saved": [str(p) for p in paths],
            }
        )
    else:
        for path in paths:
            print(plain(str(path)), flush=True)
    lost = sweep.counts.get(PlannedState.UNKNOWN.value, 0) + sweep.counts.get(
        PlannedState.NOT_SENT.value, 0
    )
    if lost:
        note(f"sweep {sweep.id[:8]}: {lost} runs not queued (comfytui sweep show {sweep.id[:8]})")
    failed = [r for r in runs.values() if r.is_terminal and r.status is not RunStatus.SUCCESS]
    if lost or (wait and failed):
        raise RunFailedError(f"sweep {sweep.id[:8]}: {len(failed)} failed, {lost} not queued")
    return 0


async def follow(
    session: Any, sweep: Sweep, progress: Progress, timeout: float | None
) -> tuple[dict[str, Run], list[SavedOutput]]:
    """Every queued run of the sweep to its end, one progress line; outputs saved."""
    runs: dict[str, Run] = await session.sweeps.runs(sweep.id)
    limit = asyncio.Semaphore(WATCHERS)
    saved: list[SavedOutput] = []

    async def one(run_id: str) -> None:
        async with limit:
            async for run in session.runs.watch(run_id):
                runs[run_id] = run
                progress.line(_counts_line(sweep, runs))
            final = runs.get(run_id)
            if final is not None and final.status is RunStatus.SUCCESS:
                saved.extend(await session.runs.save_outputs(final))

    ids = [p.run_id for p in await session.sweeps.planned(sweep.id) if p.run_id]
    try:
        async with asyncio.timeout(timeout):
            await asyncio.gather(*(one(i) for i in ids))
    except TimeoutError:
        progress.close()
        raise RunFailedError(
            f"sweep {sweep.id[:8]} did not finish within {timeout:g}s; its runs keep going "
            f"(comfytui sweep cancel {sweep.id[:8]})"
        ) from None
    progress.line(_counts_line(sweep, runs))
    return runs, saved


def _counts_line(sweep: Sweep, runs: dict[str, Run]) -> str:
    by_status: dict[str, int] = {}
    for run in runs.values():
        by_status[run.status.value] = by_status.get(run.status.value, 0) + 1
    planned = {k: v for k, v in sweep.counts.items() if k != PlannedState.QUEUED.value and v}
    parts = [f"{v} {k}" for k, v in sorted(by_status.items())]
    parts += [f"{v} {k}" for k, v in sorted(planned.items())]
    return f"sweep {sweep.id[:8]}: {sweep.total} runs · " + " · ".join(parts or ["sending"])


# --- json ---------------------------------------------------------------------------------------


def sweep_json(
    sweep: Sweep, planned: Sequence[Any] | None = None, runs: dict[str, Run] | None = None
) -> dict[str, Any]:
    data = output.jsonable(sweep)
    if planned is not None:
        runs = runs or {}
        data["runs"] = [
            {
                "index": p.index,
                "state": p.state.value,
                "run_id": p.run_id,
                "status": runs[p.run_id].status.value if p.run_id in runs else None,
                "varying": output.jsonable(p.varying),
                "note": p.note,
            }
            for p in planned
        ]
    return data


# --- commands -----------------------------------------------------------------------------------


async def cmd_rerun(args: argparse.Namespace) -> int:
    from comfytui.cli.commands_run import run_with, split_assignments

    pairs = split_assignments(args.inputs)
    async with open_session(settings_from(args)) as session:
        run_id = await session.catalog.resolve_id("run", args.run_id)
        run = await session.catalog.get_run(run_id)
        deployment = await session.sweeps.deployment_of(run)
        base = dict(run.inputs)
        known = {s.input_id for s in deployment.inputs}
        gone = sorted(n for n in base if known and n not in known)
        if gone:
            note(
                f"{plain(deployment.name, 40)} changed since run {run.id[:8]}: no longer takes "
                f"{', '.join(plain(n, 40) for n in gone)} (left out)"
            )
            base = {k: v for k, v in base.items() if k not in gone}
        return await run_with(args, session, deployment, base, pairs)


async def cmd_sweep_ls(args: argparse.Namespace) -> int:
    async with open_session(settings_from(args)) as session:
        sweeps = await session.sweeps.list()
    if args.json:
        output.print_json(
            {"schema": output.JSON_SCHEMA_VERSION, "sweeps": [sweep_json(s) for s in sweeps]}
        )
        return 0
    if not sweeps:
        note("no sweeps yet (comfytui run DEPLOYMENT -i seed=1..8)")
    for s in sweeps:
        counts = ", ".join(f"{v} {k}" for k, v in sorted(s.counts.items()))
        print(
            f"{s.id[:8]}  {s.created_at:%Y-%m-%d %H:%M}  {s.state:<9} {s.total:>5} runs  "
            f"{plain(s.deployment_name, 30)}  {', '.join(s.varying) or '-'}  [{counts}]"
        )
    return 0


async def cmd_sweep_show(args: argparse.Namespace) -> int:
    async with open_session(settings_from(args)) as session:
        sweep = await session.sweeps.get(args.sweep_id)
        if args.wait:
            return await finish(args, session, sweep, Progress(), True)
        planned = await session.sweeps.planned(sweep.id)
        runs = await session.sweeps.runs(sweep.id)
    if args.json:
        output.print_json(
            {"schema": output.JSON_SCHEMA_VERSION, "sweep": sweep_json(sweep, planned, runs)}
        )
        return 0
    counts = ", ".join(f"{v} {k}" for k, v in sorted(sweep.counts.items()))
    print(
        f"sweep {sweep.id}  {plain(sweep.deployment_name, 40)}  {sweep.state}  "
        f"{sweep.total} runs  [{counts}]"
    )
    for p in planned:
        run = runs.get(p.run_id or "")
        status = run.status.value if run else p.state.value
        values = " ".join(f"{k}={plain(str(v), 40)}" for k, v in p.varying.items())
        line = f"{p.index + 1:>4}  {(p.run_id or '-'):<36}  {status:<12} {values}"
        if p.note and p.state is not PlannedState.QUEUED:
            line += f"  ({plain(p.note, 80)})"
        print(line)
    return 0


async def cmd_sweep_cancel(args: argparse.Namespace) -> int:
    async with open_session(settings_from(args)) as session:
        sweep = await session.sweeps.cancel(args.sweep_id)
    if args.json:
        output.print_json({"schema": output.JSON_SCHEMA_VERSION, "sweep": sweep_json(sweep)})
    else:
        print(f"{sweep.id} cancelled")
    return 0


async def cmd_sweep_retry(args: argparse.Namespace) -> int:
    async with open_session(settings_from(args)) as session:
        sweep = await session.sweeps.get(args.sweep_id)
        again = sweep.counts.get("unknown", 0) + sweep.counts.get("not-sent", 0)
        if not again:
            note(f"sweep {sweep.id[:8]}: nothing to retry")
        else:
            unknown = sweep.counts.get("unknown", 0)
            text = f"retry {again} runs of sweep {sweep.id[:8]}"
            if unknown:
                text += f" ({unknown} may have started: each is looked up on the server first)"
            if not args.yes and not (sys.stdin.isatty() and sys.stderr.isatty()):
                raise InputError(f"{text}: add --yes (no terminal to confirm on); nothing sent")
            if not args.yes:
                sys.stderr.write(f"{text}? [y/N] ")
                sys.stderr.flush()
                if sys.stdin.readline().strip().lower() not in ("y", "yes"):
                    raise InputError("not confirmed; nothing sent")
            sweep = await session.sweeps.retry(sweep.id, concurrency=args.concurrency)
        return await finish(args, session, sweep, Progress(), args.wait)
