"""Entry point of `comfytui`: the TUI, the emulator, or a command for scripts.

`comfytui` alone (or with only global flags) opens the TUI; `comfytui emulator ...` runs the
emulator; anything else is parsed here with argparse. Errors become one line on stderr and an
exit code from `ComfyTuiError.exit_code`; `COMFYTUI_DEBUG=1` adds the traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from comfytui.errors import ComfyTuiError
from comfytui.sanitize import plain

PROG = "comfytui"
COMMANDS = ("ls", "show", "run", "cancel", "workflow", "auth")
TUI_FLAGS = ("--api-url", "--profile")  # what comfytui.ui.launch accepts (each takes a value)
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

EPILOG = """\
Without a command, comfytui opens the terminal UI. `comfytui emulator --help` runs the local
emulator. Exit codes: 0 ok, 1 run failed/cancelled/timed out, 2 usage or invalid input,
3 authentication, 4 network or server, 5 not found.
Settings: defaults < config.toml < COMFY_DEPLOY_API_KEY / COMFY_DEPLOY_API_URL < flags.
COMFYTUI_HOME moves the config, cache and data folders. COMFYTUI_DEBUG=1 shows tracebacks."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2), as every other comfytui error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {plain(message)} (try `{self.prog} -h`)\n")


def _global_flags(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("global options")
    group.add_argument(
        "--api-url",
        metavar="URL",
        default=default,
        help="API base URL (default https://api.comfydeploy.com/api)",
    )
    group.add_argument(
        "--profile",
        metavar="NAME",
        default=default,
        help="settings and key of another account (config [profiles.NAME])",
    )


def build_parser() -> Parser:
    from comfytui.cli import (
        commands_auth,
        commands_demo,
        commands_list,
        commands_run,
        commands_workflow,
    )

    parser = Parser(
        prog=PROG,
        description="ComfyUI Deploy from the terminal.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    _global_flags(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def add(name: str, help_text: str) -> Parser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        _global_flags(cmd, suppress=True)
        return cmd

    commands_list.register(add)
    commands_run.register(add)
    commands_workflow.register(add, _global_flags)
    commands_auth.register(add, _global_flags)
    commands_demo.register(add, _global_flags)
    return parser


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("comfytui")
    except Exception:  # noqa: BLE001 - running from a source tree
        return "dev"


def _wants_tui(args: Sequence[str]) -> bool:
    """True when no command is given, only the flags the TUI takes (or nothing)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in TUI_FLAGS:
            skip = True
        elif arg.split("=", 1)[0] not in TUI_FLAGS:
            return False  # a command, --help, or an unknown flag: the CLI parser answers (exit 2)
    return True


def run_cli(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv))
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    debug = os.environ.get("COMFYTUI_DEBUG", "") not in ("", "0")
    try:
        return int(asyncio.run(args.handler(args)) or 0)
    except ComfyTuiError as exc:
        if debug:
            traceback.print_exc()
        _fail(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _fail("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader (head, less) went away: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into one line
        if debug:
            traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {exc} (COMFYTUI_DEBUG=1 shows details)")
        return EXIT_INTERNAL


def _fail(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {plain(message)}\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["emulator"]:
        from comfytui.emulator.cli import main as emulator_main

        return emulator_main(args[1:])
    if _wants_tui(args):
        from comfytui.ui.launch import run_tui

        return run_tui(args)
    return run_cli(args)


if __name__ == "__main__":
    raise SystemExit(main())
