"""Entry point of the `comfytui` console script (the CLI issue fills in the subcommands)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["emulator"]:
        from comfytui.emulator.cli import main as emulator_main

        return emulator_main(args[1:])
    from comfytui.ui.launch import run_tui

    return run_tui(args)


if __name__ == "__main__":
    raise SystemExit(main())
