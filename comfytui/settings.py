"""Settings as one typed object: defaults, then config.toml, then environment, then flags.

The API key is a `Secret` whose repr and str are redacted, so it cannot leak through logging,
tracebacks or f-strings by accident; call `.reveal()` only where the header is built.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from comfytui.config_check import validate as validate_config
from comfytui.errors import ConfigError
from comfytui.locations import Locations, locations

DEFAULT_API_URL = "https://api.comfydeploy.com/api"
KEY_ENV = "COMFY_DEPLOY_API_KEY"
URL_ENV = "COMFY_DEPLOY_API_URL"


class Secret:
    """A string that never shows itself in repr/str/format."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        v = self._value
        return "****" if len(v) < 12 else f"{v[:4]}…{v[-4:]}"

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Settings:
    """Every setting in force: defaults < config.toml < environment < flags."""

    api_url: str = DEFAULT_API_URL
    api_key: Secret | None = None
    profile: str = "default"
    dialect: str = "auto"  # auto | v2 | legacy | selfhost
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_body_mb: float = 20.0
    sweep_concurrency: int = 4  # queue requests of a sweep in flight at once
    theme: str | None = None
    image_protocol: str = "auto"  # auto | kitty | sixel | halfblock | pixels
    keymap: Mapping[str, str] = field(default_factory=dict)  # binding id -> keys
    locations: Locations = field(default_factory=locations)
    key_source: str = "none"  # none | config | env | keyring | flag
    readonly: bool = False  # refuse every call that starts, cancels, uploads or pushes
    bell: bool = False  # ring the terminal bell when a run started here ends unseen
    cold_start_column: bool = False  # the Runs pane shows a Cold start column (`C` toggles)
    notify: str = "auto"  # auto | off | terminal | desktop (see comfytui/notify.py)
    aliases: Mapping[str, str] = field(default_factory=dict)  # command-mode alias -> command

    @property
    def demo(self) -> bool:
        """No key configured: the app runs on the embedded emulator."""
        return not self.api_key


def load_settings(
    *,
    environ: Mapping[str, str] | None = None,
    api_url: str | None = None,
    profile: str | None = None,
    keyring_lookup: bool = True,
    new_profile: bool = False,
    readonly: bool | None = None,
) -> Settings:
    """Build Settings from defaults < config file < environment < flags."""
    env = dict(os.environ if environ is None else environ)
    locs = locations(env)
    values: dict[str, Any] = {"locations": locs}
    config = _read_config(locs.config_file)
    validate_config(locs.config_file, config)
    chosen_profile = profile or str(config.get("profile", "default"))
    values["profile"] = chosen_profile
    section = dict(config)
    profiles = config.get("profiles", {})
    if chosen_profile != "default" and chosen_profile not in profiles and not new_profile:
        _require_known_profile(chosen_profile, profiles, keyring_lookup, locs.config_file)
    if chosen_profile != "default" or chosen_profile in profiles:
        section.update(profiles.get(chosen_profile, {}))
    _apply_config(values, section)
    if env.get(URL_ENV):
        values["api_url"] = env[URL_ENV]
    if env.get(KEY_ENV):
        values["api_key"] = Secret(env[KEY_ENV].strip())
        values["key_source"] = "env"
    if api_url:
        values["api_url"] = api_url
    if readonly:
        values["readonly"] = True  # the flag can only add safety, never remove the config's
    settings = Settings(**values)
    if not settings.api_key and keyring_lookup:
        from comfytui.credentials import keyring_get  # late: keyring import is slow

        stored = keyring_get(settings.profile)
        if stored:
            settings = replace(settings, api_key=Secret(stored), key_source="keyring")
    return settings


def _require_known_profile(
    name: str, profiles: Mapping[str, Any], keyring_lookup: bool, config_file: Path
) -> None:
    """An undefined profile is a typo, not demo mode: exit 2 naming the profiles there are."""
    if keyring_lookup:
        from comfytui.credentials import keyring_get  # a key stored by `auth login` defines it

        if keyring_get(name):
            return
    known = ", ".join(["default", *sorted(profiles)])
    raise ConfigError(f"profile {name!r} is not defined in {config_file}; known profiles: {known}")


def profile_names(locs: Locations) -> list[str]:
    """ "default" and every `[profiles.NAME]` of config.toml (an unreadable file: just default)."""
    try:
        profiles = _read_config(locs.config_file).get("profiles", {})
    except ConfigError:
        profiles = {}
    names = [str(n) for n in profiles] if isinstance(profiles, Mapping) else []
    return ["default", *(n for n in names if n != "default")]


def _read_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    import tomllib  # late: only when a config file exists

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


_FLOATS = ("connect_timeout", "read_timeout", "max_body_mb")
_STRINGS = ("api_url", "dialect", "theme", "image_protocol")
_BOOLS = ("readonly", "bell", "cold_start_column")
NOTIFY_MODES = ("auto", "off", "terminal", "desktop")


def _apply_config(values: dict[str, Any], section: Mapping[str, Any]) -> None:
    for name in _STRINGS:
        if isinstance(section.get(name), str):
            values[name] = section[name]
    for name in _FLOATS:
        if isinstance(section.get(name), int | float):
            values[name] = float(section[name])
    if isinstance(section.get("api_key"), str) and section["api_key"]:
        values["api_key"] = Secret(section["api_key"])
        values["key_source"] = "config"
    concurrency = section.get("sweep_concurrency")
    if isinstance(concurrency, int) and not isinstance(concurrency, bool) and concurrency >= 1:
        values["sweep_concurrency"] = concurrency
    for name in _BOOLS:
        if isinstance(section.get(name), bool):
            values[name] = section[name]
    notify = section.get("notify")
    if notify is not None:
        if notify not in NOTIFY_MODES:
            raise ConfigError(
                f"notify must be one of {', '.join(NOTIFY_MODES)}, not {str(notify)[:40]!r}"
            )
        values["notify"] = notify
    aliases = section.get("aliases")
    if isinstance(aliases, Mapping):
        values["aliases"] = {str(k): str(v) for k, v in aliases.items()}
    keymap = section.get("keymap")
    if isinstance(keymap, Mapping):
        values["keymap"] = {str(k): str(v) for k, v in keymap.items()}
