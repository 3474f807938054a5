"""Storing the API key: the system keyring where one works, else config.toml with mode 0600."""

from __future__ import annotations

import json
import logging
import os
import tomllib
from pathlib import Path

SERVICE = "comfytui"
log = logging.getLogger(__name__)


def _keyring():  # noqa: ANN202 - keyring has no public type for the module
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            return None
        return keyring
    except Exception:  # noqa: BLE001 - any keyring failure means "no keyring"
        return None


def keyring_get(profile: str) -> str | None:
    kr = _keyring()
    if kr is None:
        return None
    try:
        return kr.get_password(SERVICE, profile)
    except Exception:  # noqa: BLE001
        log.debug("keyring lookup failed", exc_info=False)
        return None


def keyring_set(profile: str, key: str) -> bool:
    """Store in the keyring; False when no usable keyring exists."""
    kr = _keyring()
    if kr is None:
        return False
    try:
        kr.set_password(SERVICE, profile, key)
        return True
    except Exception:  # noqa: BLE001
        return False


def keyring_delete(profile: str) -> bool:
    kr = _keyring()
    if kr is None:
        return False
    try:
        kr.delete_password(SERVICE, profile)
        return True
    except Exception:  # noqa: BLE001
        return False


def write_private_file(path: Path, text: str) -> None:
    """Write `text` to `path` readable by the owner only (0600), also when it already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


# --- the key in config.toml -------------------------------------------------------------------
#
# tomllib only reads, so the file is edited line by line: comments and the order of everything
# else are kept, and the result is parsed again before it replaces the old file.

KEY_NAME = "api_key"


def _section_header(profile: str) -> str | None:
    """The table holding a profile's settings: top level for "default", else [profiles.NAME]."""
    return None if profile == "default" else f"profiles.{_toml_key(profile)}"


def _toml_key(name: str) -> str:
    bare = name and all(ch.isalnum() or ch in "-_" for ch in name) and name.isascii()
    return name if bare else _toml_string(name)


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)


def _header_of(line: str) -> str | None:
    """The table name of a `[table]` line (spaces removed), None for any other line."""
    stripped = line.split("#", 1)[0].strip() if line.lstrip().startswith("[") else ""
    if stripped.startswith("[[") and stripped.endswith("]]"):
        return stripped  # array of tables: never a target
    if stripped.startswith("[") and stripped.endswith("]"):
        return stripped[1:-1].replace(" ", "")
    return None


def _sections(lines: list[str]) -> list[tuple[str | None, int, int]]:
    """(table, first line, end) for the top level and each table, in file order."""
    starts: list[tuple[str | None, int]] = [(None, 0)]
    for i, line in enumerate(lines):
        header = _header_of(line)
        if header is not None:
            starts.append((header, i + 1))
    return [
        (name, first, (starts[n + 1][1] - 1) if n + 1 < len(starts) else len(lines))
        for n, (name, first) in enumerate(starts)
    ]


def _key_of(line: str) -> str | None:
    if "=" not in line or line.lstrip().startswith("#"):
        return None
    return line.split("=", 1)[0].strip().strip('"').strip("'")


def set_config_value(path: Path, profile: str, name: str, value: str | None) -> bool:
    """Set (or with None remove) `name` in the profile's table; False when nothing changed.

    The file is written with mode 0600 because it may hold a key.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    target = _section_header(profile)
    tables = _sections(lines)
    if target is None and any(s[0] == "profiles.default" for s in tables):
        target = "profiles.default"  # it overrides the top level when loading
    section = next((s for s in tables if s[0] == target), None)
    new_line = None if value is None else f"{name} = {_toml_string(value)}"
    found = -1
    if section is not None:
        found = next((i for i in range(section[1], section[2]) if _key_of(lines[i]) == name), -1)
    if found >= 0:
        if new_line is None:
            del lines[found]
        else:
            lines[found] = new_line
    elif new_line is None:
        return False
    elif section is not None:
        at = section[2]
        while at > section[1] and not lines[at - 1].strip():
            at -= 1
        lines.insert(at, new_line)
    else:
        lines += ([""] if lines and lines[-1].strip() else []) + [f"[{target}]", new_line]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # never write a file the settings loader would reject
    write_private_file(path, text)
    return True


def store_key(config_file: Path, profile: str, key: str) -> str:
    """Keep the key in the keyring if one works, else in config.toml (0600); say where."""
    if keyring_set(profile, key):
        set_config_value(config_file, profile, KEY_NAME, None)  # a stale file key would win
        return "keyring"
    set_config_value(config_file, profile, KEY_NAME, key)
    return f"{config_file} (mode 0600)"


def forget_key(config_file: Path, profile: str) -> list[str]:
    """Remove the profile's key from the keyring and the config file; the places it was in."""
    removed = []
    if keyring_get(profile) is not None and keyring_delete(profile):
        removed.append("keyring")
    if config_file.exists() and set_config_value(config_file, profile, KEY_NAME, None):
        removed.append(str(config_file))
    return removed
