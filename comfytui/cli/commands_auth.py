"""`comfytui auth login|status|logout`: the API key of a profile, never printed."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from dataclasses import replace

from comfytui.cli import output
from comfytui.cli.context import actions, api_host, note, open_session, settings_from
from comfytui.credentials import forget_key, set_config_value, store_key
from comfytui.errors import AuthError, ComfyTuiError, InputError, NotSupportedError
from comfytui.settings import KEY_ENV, Secret, Settings


def register(
    add: Callable[..., argparse.ArgumentParser], global_flags: Callable[..., None]
) -> None:
    auth = add("auth")
    sub = actions(auth)
    login = sub.add_parser(
        "login",
        help="read a key (not echoed) and store it",
        description="Read the API key without echoing it (or one line from "
        "stdin when it is not a terminal), check it against the API and store "
        "it in the system keyring, else in config.toml with mode 0600.",
    )
    login.add_argument(
        "--no-verify", action="store_true", help="store the key without checking it against the API"
    )
    login.set_defaults(handler=cmd_login)
    status = sub.add_parser("status", help="API host and masked key (exit 3 without a key)")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=cmd_status)
    logout = sub.add_parser("logout", help="remove the stored key of the profile")
    logout.set_defaults(handler=cmd_logout)
    for cmd in (login, status, logout):
        global_flags(cmd, suppress=True)


def read_key() -> str:
    """The key from the terminal without echo, or the first line of piped stdin."""
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            key = getpass.getpass("ComfyUI Deploy API key: ", stream=sys.stderr)
        except EOFError:
            key = ""
    else:
        key = (sys.stdin.readline() if sys.stdin is not None else "").strip()
    key = key.strip()
    if not key:
        raise InputError("no key given")
    if any(ch.isspace() or not ch.isprintable() for ch in key):
        raise InputError("the key contains spaces or control characters")
    return key


async def verify_key(settings: Settings) -> str | None:
    """Ask the API with the new key; None when accepted, a note when it could not tell."""
    from comfytui.cli.commands_list import listing_error

    async with open_session(settings) as session:
        listing = await session.catalog.refresh_deployments()
    error = listing_error(listing, "deployments")
    if error is None:
        return None
    if isinstance(error, NotSupportedError):
        return "this server cannot list deployments, so the key was stored unchecked"
    if isinstance(error, AuthError) or error.exit_code == 3:
        raise AuthError(f"{api_host(settings.api_url)} rejected the key ({error}); nothing stored")
    raise type(error)(f"could not check the key: {error} (--no-verify stores it anyway)")


async def cmd_login(args: argparse.Namespace) -> int:
    settings = settings_from(args, new_profile=True)
    key = read_key()
    candidate = replace(settings, api_key=Secret(key), key_source="flag")
    remark = None if args.no_verify else await verify_key(candidate)
    config = settings.locations.config_file
    where = store_key(config, settings.profile, key)
    if getattr(args, "api_url", None):
        set_config_value(config, settings.profile, "api_url", args.api_url)
    print(
        f"logged in to {api_host(settings.api_url)} (profile {settings.profile}); "
        f"key stored in {where}"
    )
    if remark:
        note(remark)
    if settings.key_source == "env":
        note(f"{KEY_ENV} is set and takes precedence over the stored key")
    return 0


async def cmd_status(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    key = settings.api_key
    info = {
        "schema": output.JSON_SCHEMA_VERSION,
        "profile": settings.profile,
        "api_url": settings.api_url,
        "api_host": api_host(settings.api_url),
        "logged_in": bool(key),
        "key": key.masked() if key else None,
        "key_source": settings.key_source if key else None,
        "demo": settings.demo,
        "config_file": str(settings.locations.config_file),
    }
    if args.json:
        output.print_json(info)
    elif key:
        print(
            output.format_pairs(
                [
                    ("profile", settings.profile),
                    ("api", f"{info['api_host']} ({settings.api_url})"),
                    ("key", f"{key.masked()} (from {settings.key_source})"),
                ]
            )
        )
    else:
        print(
            output.format_pairs(
                [
                    ("profile", settings.profile),
                    ("api", f"{info['api_host']} ({settings.api_url})"),
                    ("key", "none: demo mode, commands use the local emulator"),
                ]
            )
        )
    return 0 if key else AuthError.exit_code


async def cmd_logout(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        removed = forget_key(settings.locations.config_file, settings.profile)
    except OSError as exc:
        raise ComfyTuiError(
            f"cannot update {settings.locations.config_file}: {exc.strerror}"
        ) from None
    if removed:
        print(f"removed the key of profile {settings.profile} from {', '.join(removed)}")
    else:
        print(f"no stored key for profile {settings.profile}")
    if settings.key_source == "env":
        note(f"{KEY_ENV} is still set in the environment")
    return 0
