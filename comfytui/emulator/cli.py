"""`comfytui emulator`: run the emulator in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from comfytui.emulator import DIALECTS
from comfytui.emulator.faults import FaultSpec


def _fault(text: str) -> FaultSpec:
    try:
        return FaultSpec.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="comfytui emulator", description="Serve a local emulator of the ComfyUI Deploy API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--storage-port", type=int, default=0)
    parser.add_argument("--dialect", choices=DIALECTS, default="v2")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="run speed factor; 0 = runs finish instantly"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="SPEC",
        help="e.g. kind=429,route=/api/run/*,count=2,retry_after=1",
    )
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from comfytui.emulator.server import EmulatorServer

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    emu = EmulatorServer(
        dialect=args.dialect,
        speed=args.speed,
        seed=args.seed,
        faults=args.fault,
        host=args.host,
        port=args.port,
        storage_port=args.storage_port,
    )
    try:
        emu.start()
    except (OSError, RuntimeError) as exc:
        print(f"comfytui emulator: cannot start: {exc}", file=sys.stderr)
        return 1
    print(f"comfytui emulator listening on {emu.api_url}", flush=True)
    print(f"api key: {emu.api_key}", flush=True)
    print(
        f"storage host: {emu.storage_url}  dialect: {args.dialect}  speed: {args.speed:g}",
        file=sys.stderr,
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
    return 0
