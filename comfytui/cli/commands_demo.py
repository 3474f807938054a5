"""`comfytui demo reset`: start the demo world (no API key) afresh."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from comfytui.cli.context import actions, note, settings_from


def register(
    add: Callable[..., argparse.ArgumentParser], global_flags: Callable[..., None]
) -> None:
    demo = add("demo", "the demo world used without an API key (demo reset)")
    sub = actions(demo)
    reset = sub.add_parser(
        "reset",
        help="forget the demo's runs and cached rows; the next demo session starts fresh",
        description="Delete the demo emulator's saved world (in the data folder) and the "
        "demo server's rows in the cache. Your own servers' cache is untouched.",
    )
    reset.set_defaults(handler=cmd_reset)
    global_flags(reset, suppress=True)


async def cmd_reset(args: argparse.Namespace) -> int:
    from comfytui.services.demo import reset_demo

    settings = settings_from(args)
    existed = await reset_demo(settings.locations, settings.profile)
    note("demo reset: the next demo session starts fresh" if existed else "demo: nothing to reset")
    return 0
