"""Table-driven checks of config.toml values: one line naming file, key, value and what is allowed.

Add a setting by adding a row to `RULES`: its key, a check returning the normalised value (or
raising `_Bad` with what is allowed). `validate` runs every row over the top level and each
[profiles.NAME] table before anything is used, so a bad value never reaches the app.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comfytui.errors import ConfigError

DIALECTS = ("auto", "v2", "legacy", "selfhost")
IMAGE_PROTOCOLS = ("auto", "kitty", "tgp", "sixel", "halfblock", "halfcell", "unicode", "pixels")


class _Bad(Exception):
    """The value is unusable; the argument says what is allowed."""


@dataclass(frozen=True)
class Rule:
    key: str
    check: Callable[[Any], Any]


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad("a quoted string")
    return value


def _choice(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise _Bad("one of " + ", ".join(allowed))
        return value

    return check


def _positive_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _Bad("a number of seconds above 0")
    return float(value)


def _url(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise _Bad("an http:// or https:// URL")
    return value


def _theme(value: Any) -> str:
    # late, and through the UI floor (the only one that imports Textual): only when a theme is set
    from comfytui.ui.theme_names import builtin_theme_names

    BUILTIN_THEMES = builtin_theme_names()  # noqa: N806 - the set Textual names so

    if not isinstance(value, str) or value not in BUILTIN_THEMES:
        raise _Bad("one of " + ", ".join(closest_first(str(value), BUILTIN_THEMES)))
    return value


def _keymap(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        raise _Bad('a table of binding id = "keys" (ids are listed on the help screen, ?)')
    return dict(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad("true or false")
    return value


def _aliases(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise _Bad('a table of word = "command"')
    return dict(value)


RULES: tuple[Rule, ...] = (
    Rule("api_url", _url),
    Rule("api_key", _string),
    Rule("profile", _string),
    Rule("dialect", _choice(*DIALECTS)),
    Rule("connect_timeout", _positive_number),
    Rule("read_timeout", _positive_number),
    Rule("max_body_mb", _positive_number),
    Rule("theme", _theme),
    Rule("image_protocol", _choice(*IMAGE_PROTOCOLS)),
    Rule("keymap", _keymap),
    Rule("readonly", _bool),
    Rule("bell", _bool),
    Rule("cold_start_column", _bool),
    Rule("notify", _choice("auto", "off", "terminal", "desktop")),  # settings.NOTIFY_MODES
    Rule("aliases", _aliases),
)


def _line(path: Path, key: str, value: Any, allowed: str) -> str:
    shown = repr(value) if not isinstance(value, Mapping) else "{…}"
    return f"{path}: {key} = {shown[:60]} is not allowed; use {allowed}"


def validate(path: Path, config: Mapping[str, Any]) -> None:
    """Raise ConfigError (exit 2) on the first unusable value in the file."""
    tables: list[tuple[str, Mapping[str, Any]]] = [("", config)]
    profiles = config.get("profiles", {})
    if not isinstance(profiles, Mapping):
        raise ConfigError(_line(path, "profiles", profiles, "[profiles.NAME] tables"))
    for name, table in profiles.items():
        if not isinstance(table, Mapping):
            raise ConfigError(_line(path, f"profiles.{name}", table, "a [profiles.NAME] table"))
        tables.append((f"profiles.{name}.", table))
    for prefix, table in tables:
        for rule in RULES:
            if rule.key in table:
                try:
                    rule.check(table[rule.key])
                except _Bad as bad:
                    raise ConfigError(
                        _line(path, prefix + rule.key, table[rule.key], str(bad))
                    ) from None


def closest_first(value: str, names: Iterable[str]) -> list[str]:
    """Names with the likeliest meant ones first, so a shortened line still shows them."""
    ordered = sorted(names)
    near = difflib.get_close_matches(value, ordered, n=3, cutoff=0.0)
    return near + [n for n in ordered if n not in near]


def unknown_keymap_ids(keymap: Mapping[str, str], known: set[str]) -> list[str]:
    """Binding ids in the keymap that no key of the app has."""
    return sorted(k for k in keymap if k not in known)
