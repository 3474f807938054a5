"""`comfytui doctor [--json]`: what this comfytui would use here, for bug reports and set-up.

Version, config file, API host (never the key: only where it comes from), dialect, cache and log
paths, and the image renderer the app would choose in this terminal, with the reason and the
terminal's answers (comfytui.terminal). Contacts no server.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from comfytui.cli.context import api_host, settings_from
from comfytui.cli.output import format_pairs, print_json
from comfytui.sanitize import plain


def register(add: Callable[..., argparse.ArgumentParser], _flags: object = None) -> None:
    cmd = add("doctor", "show version, config, API host, cache and the image protocol chosen")
    cmd.add_argument("--json", action="store_true", help="one JSON object")
    cmd.set_defaults(handler=cmd_doctor)


def report(settings: Any, facts: Any) -> dict[str, Any]:  # noqa: ANN401 - Settings, TerminalFacts
    """The doctor's findings as plain values (the key itself is never part of them)."""
    from comfytui import __version__
    from comfytui.terminal.protocol import decide

    chosen = decide(facts, settings.image_protocol)
    auto = decide(facts, "auto")
    config = settings.locations.config_file
    return {
        "version": __version__,
        "config": str(config),
        "config_exists": config.exists(),
        "profile": settings.profile,
        "api_host": api_host(settings.api_url),
        "api_key": "none: demo mode (local emulator)" if settings.demo else settings.key_source,
        "dialect": settings.dialect,
        "cache": str(settings.locations.cache_file(settings.profile)),
        "log": str(settings.locations.log_file),
        "image_protocol_setting": settings.image_protocol,
        "image_renderer": chosen.mode,
        "image_reason": chosen.reason,
        "image_auto": None if auto == chosen else auto.line(),
        "terminal": {
            "tty": facts.tty,
            "xtversion": facts.xtversion,
            "da1": list(facts.da1) if facts.da1 is not None else None,
            "kitty_graphics": facts.kitty_graphics,
            "cell_pixels": list(facts.cell) if facts.cell else None,
            "env": dict(facts.env),
            "tmux_passthrough": facts.tmux_passthrough,
            "tmux_client": facts.tmux_client,
            "probe_ms": round(facts.probe_ms, 1),
            "error": facts.error,
        },
    }


def format_report(data: dict[str, Any]) -> str:
    from comfytui.terminal.protocol import MODE_NAMES

    term = data["terminal"]
    answers = [
        f"XTVERSION {term['xtversion']}" if term["xtversion"] else "no XTVERSION",
        f"DA1 {';'.join(map(str, term['da1']))}" if term["da1"] is not None else "no DA1",
        "kitty graphics OK" if term["kitty_graphics"] else "no kitty graphics answer",
    ]
    if term["cell_pixels"]:
        answers.append("cell {}x{} px".format(*term["cell_pixels"]))
    answers.append(f"{term['probe_ms']:.0f} ms")
    if not term["tty"]:
        answers = ["not a terminal: nothing asked"]
    env = " ".join(f"{k}={v}" for k, v in term["env"].items())
    tmux = None
    if "TMUX" in term["env"]:
        tmux = f"allow-passthrough {term['tmux_passthrough'] or '?'}, outer terminal "
        tmux += term["tmux_client"] or "unknown"
    config = data["config"] + ("" if data["config_exists"] else " (not found: defaults)")
    pairs = [
        ("comfytui", data["version"]),
        ("config", config),
        ("profile", data["profile"]),
        ("api host", data["api_host"]),
        ("api key", data["api_key"]),
        ("dialect", data["dialect"]),
        ("cache", data["cache"]),
        ("log", data["log"]),
        ("images", f"{MODE_NAMES.get(data['image_renderer'], '?')}: {data['image_reason']}"),
        ("auto would", data["image_auto"]),
        ("terminal", ", ".join(answers)),
        ("environment", env),
        ("tmux", tmux),
    ]
    return format_pairs((key, plain(str(value)) if value else value) for key, value in pairs)


async def cmd_doctor(args: argparse.Namespace) -> int:
    from comfytui.terminal.probe import probe

    settings = settings_from(args)
    data = report(settings, probe(controlling_tty=True))
    if args.json:
        print_json(data)
    else:
        print(format_report(data))
    return 0
