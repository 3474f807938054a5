"""What every command needs: settings from flags, a services Session, and stderr notes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from comfytui.errors import ConfigError
from comfytui.sanitize import plain
from comfytui.settings import Settings, load_settings

if TYPE_CHECKING:
    from comfytui.services import Session

DEMO_NOTE = "demo: local emulator (no API key configured; `comfytui auth login` to use yours)"


def note(text: str) -> None:
    """One line for the person at the terminal, never mixed into stdout."""
    print(plain(text), file=sys.stderr, flush=True)


def actions(parser: argparse.ArgumentParser) -> Any:
    """The required ACTION subcommands of a command (`auth login`, `workflow push`, `demo
    reset`), parsed by the command's own parser class (its one-line errors)."""
    return parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=type(parser)
    )


def settings_from(args: argparse.Namespace, *, new_profile: bool = False) -> Settings:
    """Defaults < config.toml < environment < the --api-url / --profile flags.

    `new_profile`: an undefined --profile is being created (auth login), not a typo.
    """
    api_url = getattr(args, "api_url", None)
    if api_url is not None:
        check_api_url(api_url)
    return load_settings(
        api_url=api_url,
        profile=getattr(args, "profile", None),
        readonly=getattr(args, "readonly", None),
        new_profile=new_profile,
    )


def check_api_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"--api-url must be an http(s) URL such as https://api.comfydeploy.com/api, "
            f"not {plain(url, 80)!r}"
        )


def api_host(url: str) -> str:
    """host[:port] of a URL, without any user:password part."""
    parts = urlsplit(url)
    host = parts.hostname or url
    return f"{host}:{parts.port}" if parts.port else host


@asynccontextmanager
async def open_session(settings: Settings, **options: Any) -> AsyncIterator[Session]:
    """The services Session of one command; says on stderr when the demo emulator is used."""
    from comfytui.services import Session  # late: keeps `--help` and `auth` fast

    if settings.demo:
        note(DEMO_NOTE)
    async with Session.open(settings, **options) as session:
        if getattr(session, "notice", None):
            note(session.notice)
        await recover_sweeps(session)
        yield session


async def recover_sweeps(session: Session) -> None:
    """Pick up what a killed process left: lost answers looked up, planned runs sent."""
    for sweep in await session.recover_sweeps():
        counts = ", ".join(f"{v} {k}" for k, v in sorted(sweep.counts.items()))
        what = "run" if sweep.kind == "single" else f"sweep {sweep.id[:8]}"
        note(f"resumed {what} left by an interrupted comfytui: {counts}")
