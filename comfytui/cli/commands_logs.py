"""`comfytui logs RUN_ID [--follow] [--json]`: a run's log, replayed or followed."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable

from comfytui.cli.context import note, open_session, settings_from
from comfytui.models import LogLine
from comfytui.sanitize import plain

SO_FAR_IDLE = 1.0  # without --follow, a running run's log ends after this much silence


def register(add: Callable[..., argparse.ArgumentParser], _flags: object = None) -> None:
    cmd = add("logs", "print a run's log (replayed when finished)")
    cmd.add_argument("run_id", metavar="RUN_ID")
    cmd.add_argument("--follow", "-f", action="store_true", help="keep printing until the run ends")
    cmd.add_argument("--json", action="store_true", help="one JSON object a line (NDJSON)")
    cmd.set_defaults(handler=cmd_logs)


def line_json(line: LogLine) -> str:
    stamp = line.timestamp.isoformat() if line.timestamp else None
    return json.dumps({"timestamp": stamp, "level": line.level, "text": line.text})


def line_text(line: LogLine) -> str:
    stamp = line.timestamp.strftime("%H:%M:%S") if line.timestamp else "--:--:--"
    return f"{stamp} {plain(line.text, 16_384)}"


async def cmd_logs(args: argparse.Namespace) -> int:
    async with open_session(settings_from(args)) as session:
        idle = None
        run_id = await session.catalog.resolve_id("run", args.run_id)
        if not args.follow:
            run = await session.catalog.get_run(run_id)
            if not run.is_terminal:
                idle = SO_FAR_IDLE  # a live stream sends the backlog at once, then waits
        out = sys.stdout
        lines = aiter(session.logs.lines(run_id, on_note=note))
        while True:
            try:
                line = await asyncio.wait_for(anext(lines), idle)
            except (StopAsyncIteration, TimeoutError):
                break
            out.write((line_json(line) if args.json else line_text(line)) + "\n")
            out.flush()
        await lines.aclose()
    return 0
