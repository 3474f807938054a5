"""`comfytui run DEPLOYMENT` and `comfytui cancel RUN_ID`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from comfytui.cli import output
from comfytui.cli.context import note, open_session, settings_from
from comfytui.cli.progress import Progress
from comfytui.errors import InputError, NotSupportedError, RunFailedError
from comfytui.models import Deployment, Run, RunStatus, SavedOutput
from comfytui.sanitize import plain


def register(add: Callable[..., argparse.ArgumentParser], global_flags: object = None) -> None:
    run = add("run")
    run.add_argument(
        "deployment",
        metavar="DEPLOYMENT",
        help="deployment id (6+ characters do), NAME or NAME@ENV",
    )
    add_run_flags(run)
    from comfytui.cli.commands_sweep import add_sweep_flags

    add_sweep_flags(run)
    run.set_defaults(handler=cmd_run)

    cancel = add("cancel")
    cancel.add_argument("run_id", metavar="RUN_ID", help="the run id (6+ characters of it do)")
    cancel.add_argument("--json", action="store_true", help="print JSON")
    cancel.set_defaults(handler=cmd_cancel)


def add_run_flags(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "-i",
        "--input",
        dest="inputs",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=(
            "an input value; NAME=@path/to/image.png uploads a local file first; "
            "several values make a sweep: seed=1..8, cfg=5,7,9, prompt=@prompts.txt"
        ),
    )
    cmd.add_argument(
        "--wait",
        action="store_true",
        help="wait for the end, save the outputs and print their paths",
    )
    cmd.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        help="folder for the outputs (implies --wait; default: the data folder)",
    )
    cmd.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_seconds,
        help="give up waiting after SECONDS (implies --wait; exit 1)",
    )
    cmd.add_argument(
        "--notify",
        action="store_true",
        help="when the run ends: bell and terminal/desktop notification (implies --wait; "
        "config `notify`, `bell`)",
    )
    cmd.add_argument("--json", action="store_true", help="print one JSON object at the end")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def build_values(deployment: Deployment, pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Check each -i against the deployment's specs (see `services.assignments`)."""
    from comfytui.services import assignments  # late: keeps `--help` fast

    return assignments.build_values(deployment, pairs, on_note=note)


def split_assignments(items: Sequence[str]) -> list[tuple[str, str]]:
    from comfytui.services import assignments

    return assignments.split_assignments(items)


async def cmd_run(args: argparse.Namespace) -> int:
    pairs = split_assignments(args.inputs)
    async with open_session(settings_from(args)) as session:
        deployment = await session.catalog.resolve_deployment(args.deployment)
        with contextlib.suppress(NotSupportedError):  # unknown inputs: sent unchecked
            deployment = await session.catalog.ensure_inputs(deployment)
        return await run_with(args, session, deployment, {}, pairs)


async def run_with(
    args: argparse.Namespace,
    session: Any,
    deployment: Deployment,
    base: dict[str, Any],
    pairs: Sequence[tuple[str, str]],
) -> int:
    """One run, or a sweep when the values (or --count) stand for several; nothing is sent
    before every value passed its checks."""
    from comfytui.cli.commands_sweep import plan_for, start_sweep
    from comfytui.services.sweep_plan import fixed_values

    notify = getattr(args, "notify", False)
    wait = args.wait or notify or args.out is not None or args.timeout is not None
    if args.out is not None:
        prepare_folder(args.out)  # before anything is sent
    if not deployment.inputs and pairs:
        note(f"inputs of {deployment.name} are unknown; values are sent unchecked")
    plan = plan_for(deployment, base, pairs, args.count)
    if plan.total != 1:
        return await start_sweep(args, session, deployment, plan)
    values = dict(fixed_values(plan))
    progress = Progress()
    run = await session.runs.start(deployment, values, on_upload_progress=progress.upload)
    progress.close()
    if not args.json:
        print(run.id, flush=True)
    saved: list[SavedOutput] = []
    failure: str | None = None
    if wait:
        run, failure = await _wait(session, run, progress, args.timeout)
        if notify:
            _notify_end(session.settings, run, failure)
        saved = list(await session.runs.save_outputs(run))
    paths = copy_outputs(saved, args.out) if args.out is not None else [Path(s.path) for s in saved]
    if args.json:
        output.print_json(
            {
                "schema": output.JSON_SCHEMA_VERSION,
                "run": run,
                "saved": [
                    {**output.jsonable(s), "path": str(p)}
                    for s, p in zip(saved, paths, strict=True)
                ],
            }
        )
    else:
        for path in paths:
            print(plain(str(path)), flush=True)
    if wait and failure is None and run.status is not RunStatus.SUCCESS:
        failure = f"run {run.id} ended {run.status.value}" + (f": {run.error}" if run.error else "")
    if failure:
        raise RunFailedError(failure)
    return 0


async def _wait(
    session: Any, run: Run, progress: Progress, timeout: float | None
) -> tuple[Run, str | None]:
    """Follow the run to its end; on timeout return the last state and a failure message."""
    progress.update(run)
    try:
        async with asyncio.timeout(timeout):
            async for change in session.runs.watch(run.id):
                run = change
                progress.update(run)
        if not run.is_terminal:
            run = await session.catalog.get_run(run.id)
        return run, None
    except TimeoutError:
        return run, (
            f"run {run.id} did not finish within {timeout:g}s; it keeps running on the "
            f"server (stop it with: comfytui cancel {run.id})"
        )
    except (asyncio.CancelledError, KeyboardInterrupt):
        progress.close()
        note(f"stopped waiting; run {run.id} keeps running (comfytui cancel {run.id})")
        raise
    finally:
        progress.close()


def _notify_end(settings: Any, run: Run, failure: str | None) -> None:
    from comfytui.notify import Notifier, terminal_writer

    mode = settings.notify if settings.notify != "off" else "auto"  # --notify asks for it
    text = failure or f"run {run.id[:8]} ended {run.status.value}"
    Notifier(mode=mode, bell=settings.bell, write=terminal_writer()).run_ended("comfytui", text)


def prepare_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(f"--out {plain(str(folder), 200)} is a file, not a folder") from None
    except OSError as exc:
        raise InputError(f"cannot create --out {plain(str(folder), 200)}: {exc.strerror}") from None


def copy_outputs(saved: Sequence[SavedOutput], folder: Path) -> list[Path]:
    """Copy saved outputs into `folder`; a different file of the same name gets -1, -2..."""
    try:
        return _copy_outputs(saved, folder)
    except OSError as exc:
        raise InputError(f"cannot write into {plain(str(folder), 200)}: {exc.strerror}") from None


def _copy_outputs(saved: Sequence[SavedOutput], folder: Path) -> list[Path]:
    prepare_folder(folder)
    paths = []
    for item in saved:
        source = Path(item.path)
        dest = folder / source.name
        n = 0
        while dest.exists() and _sha256(dest) != item.sha256:
            n += 1
            dest = folder / f"{source.stem}-{n}{source.suffix}"
        if not dest.exists():
            shutil.copyfile(source, dest)
        paths.append(dest.resolve())
    return paths


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def cmd_cancel(args: argparse.Namespace) -> int:
    async with open_session(settings_from(args)) as session:
        # look first: an unknown id is "not found" (exit 5), whatever the cancel route answers
        run_id = await session.catalog.resolve_id("run", args.run_id)
        run = await session.catalog.get_run(run_id)
        if run.is_terminal:
            note(f"run {run.id} already ended {run.status.value}; nothing to cancel")
        else:
            await session.runs.cancel(run.id)
            run = await session.catalog.get_run(run.id)
    if args.json:
        output.print_json({"schema": output.JSON_SCHEMA_VERSION, "run": run})
    else:
        print(f"{plain(run.id)} {run.status.value}")
    return 0
