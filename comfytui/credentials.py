"""Storing the API key: the system keyring where one works, else config.toml with mode 0600."""

from __future__ import annotations

import logging
import os
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
