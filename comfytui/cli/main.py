"""Entry point of `comfytui`: the TUI, the emulator, or a command for scripts.

`comfytui` alone (or with only global flags) opens the TUI; `comfytui emulator ...` runs the
emulator; anything else is parsed here with argparse. Errors become one line on stderr and an
exit code from `ComfyTuiError.exit_code`; `COMFYTUI_DEBUG=1` adds the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any, NoReturn

from comfytui.errors import ComfyTuiError
from comfytui.sanitize import plain

PROG = "comfytui"
#: command -> (the module of comfytui.cli that registers it, its line in `comfytui -h`). Only the
#: module of the command given is imported: `-h` and `--version` import none.
COMMAND_MODULES = {
    "ls": ("commands_list", "list workflows, deployments, machines or runs"),
    "show": ("commands_list", "details of one workflow, deployment, machine or run"),
    "run": ("commands_run", "start a run of a deployment (prints the run id)"),
    "rerun": ("commands_sweep", "run a past run again with its inputs (-i changes some)"),
    "sweep": ("commands_sweep", "list, show, cancel or retry sweeps (runs started together)"),
    "cancel": ("commands_run", "cancel a queued or running run"),
    "logs": ("commands_logs", "print a run's log (replayed when finished)"),
    "workflow": ("commands_workflow", "manage workflows"),
    "auth": ("commands_auth", "log in, show or forget the API key of a profile"),
    "demo": ("commands_demo", "the demo world used without an API key (demo reset)"),
    "doctor": ("commands_doctor", "version, config, API host, cache and the image protocol chosen"),
}
COMMANDS = tuple(COMMAND_MODULES)
ALL = "*"
TUI_FLAGS = ("--api-url", "--profile")  # what comfytui.ui.launch accepts (each takes a value)
TUI_SWITCHES = ("--readonly",)  # and its flags without a value
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

EPILOG = """\
Without a command, comfytui opens the terminal UI. `comfytui emulator --help` runs the local
emulator. Exit codes: 0 ok, 1 run failed/cancelled/timed out, 2 usage or invalid input,
3 authentication, 4 network or server, 5 not found.
Settings: defaults < config.toml < COMFY_DEPLOY_API_KEY / COMFY_DEPLOY_API_URL < flags.
COMFYTUI_HOME moves the config, cache and data folders. COMFYTUI_DEBUG=1 shows tracebacks."""


def _columns() -> int:
    """The terminal's width as `shutil.get_terminal_size().columns` gives it (COLUMNS, then
    the terminal of stdout, else 80), without importing shutil (~5 ms: bz2, lzma, fnmatch),
    which argparse's formatter does for every parser and argument it builds."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
        except (AttributeError, ValueError, OSError):
            columns = 80
    return columns


class _Width:
    """A help formatter told the width (what argparse computes with shutil)."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width=None
    ) -> None:
        width = _columns() - 2 if width is None else width
        super().__init__(prog, indent_increment, max_help_position, width)  # type: ignore[call-arg]


class _HelpFormatter(_Width, argparse.HelpFormatter):
    pass


class _RawFormatter(_Width, argparse.RawDescriptionHelpFormatter):
    pass


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2), as every other comfytui error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        chosen = kwargs.get("formatter_class", argparse.HelpFormatter)
        if chosen is argparse.HelpFormatter:
            kwargs["formatter_class"] = _HelpFormatter
        elif chosen is argparse.RawDescriptionHelpFormatter:
            kwargs["formatter_class"] = _RawFormatter
        super().__init__(*args, **kwargs)

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
    group.add_argument(
        "--readonly",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="refuse everything that starts, cancels, uploads or pushes (exit 2)",
    )


def build_parser(command: str | None = ALL) -> Parser:
    """The parser. Only the module of `command` registers its arguments (every module: ALL);
    the other commands get a stub that only shows their line in `comfytui -h`."""
    parser = Parser(
        prog=PROG,
        description="ComfyUI Deploy from the terminal.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version)
    _global_flags(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def add(name: str, help_text: str | None = None) -> Parser:
        help_text = help_text or COMMAND_MODULES.get(name, ("", ""))[1]
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        _global_flags(cmd, suppress=True)
        return cmd

    wanted = {m for m, _ in COMMAND_MODULES.values()} if command == ALL else set()
    if command in COMMAND_MODULES:
        wanted.add(COMMAND_MODULES[command][0])
    done: set[str] = set()
    for name, (module, help_text) in COMMAND_MODULES.items():
        if module in wanted and module not in done:
            importlib.import_module(f"comfytui.cli.{module}").register(add, _global_flags)
            done.add(module)
        elif module not in wanted:
            sub.add_parser(name, help=help_text, description=help_text)
    return parser


class _Version(argparse.Action):
    """`--version`: the version is read (importlib.metadata) only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show program's version number and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        sys.stdout.write(f"{parser.prog} {_version()}\n")  # stdout, as --version should
        sys.stdout.flush()
        parser.exit(0)


def _command_of(args: Sequence[str]) -> str | None:
    """The command word of a command line (after the global flags and their values)."""
    return next((arg for arg in _bare_args(args) if not arg.startswith("-")), None)


def _version() -> str:
    from comfytui import __version__  # not importlib.metadata: ~50 ms for one string

    return __version__


def _bare_args(args: Sequence[str]) -> Iterator[str]:
    """The arguments other than the flags the TUI takes and their values."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in TUI_FLAGS:
            skip = True
        elif arg.split("=", 1)[0] not in TUI_FLAGS:
            yield arg


def _wants_tui(args: Sequence[str]) -> bool:
    """True when no command is given, only the flags the TUI takes (or nothing); a command,
    --help or an unknown flag goes to the CLI parser (which answers exit 2 to the unknown)."""
    return next(_bare_args(args), None) is None


def run_cli(argv: Sequence[str]) -> int:
    parser = build_parser(_command_of(argv))
    args = parser.parse_args(list(argv))
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    debug = os.environ.get("COMFYTUI_DEBUG", "") not in ("", "0")
    try:
        result = args.handler(args)
        if hasattr(result, "send"):  # a coroutine (most commands); `ls --offline` may be sync
            result = _asyncio(offline=getattr(args, "offline", False)).run(result)
        return int(result or 0)
    except ComfyTuiError as exc:
        if debug:
            import traceback

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
            import traceback

            traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {exc} (COMFYTUI_DEBUG=1 shows details)")
        return EXIT_INTERNAL


def _asyncio(*, offline: bool) -> ModuleType:
    """asyncio (imported here: `-h` needs none). Offline commands never open a connection, so
    asyncio is imported without its TLS support there: `ssl` (libssl, ~10 ms) is not loaded
    unless something else asks for it later (`import ssl` works again after this)."""
    if not offline or "asyncio" in sys.modules:
        import asyncio

        return asyncio
    blocked = "ssl" not in sys.modules
    if blocked:
        sys.modules["ssl"] = None  # type: ignore[assignment]  # asyncio: `try: import ssl`
    try:
        import asyncio
    finally:
        if blocked and sys.modules.get("ssl", False) is None:
            del sys.modules["ssl"]
    return asyncio


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


def entry() -> NoReturn:
    """The `comfytui` command and `python -m comfytui`: `main`, then a quick exit.

    The interpreter's own finalization is left to do (atexit, stream flushes, module
    teardown), but not its garbage collection passes over everything still alive: on a
    `show run` those took 40-80 ms of a 300 ms command, for objects that die with the
    process anyway (everything that holds a file or a connection was closed by `main`).
    """
    code = main()
    import gc

    gc.disable()
    gc.freeze()  # what is alive now is never collected: the process ends
    raise SystemExit(code)
