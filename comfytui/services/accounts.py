"""Who an API key belongs to, read locally (the cache's server key): no network, no hashlib."""

from __future__ import annotations

import base64
from typing import Any

__all__ = ["account_of"]


def account_of(api_key: str) -> str:
    """Who the key belongs to, read locally: the JWT's org or user id, else a key digest."""
    parts = api_key.split(".")
    if len(parts) == 3:
        try:
            padded = parts[1] + "=" * (-len(parts[1]) % 4)
            import json  # late: only a JWT key is read

            claims = json.loads(base64.urlsafe_b64decode(padded))
            owner = claims.get("org_id") or claims.get("user_id")
            if isinstance(owner, str) and owner:
                kind = "org" if claims.get("org_id") else "user"
                return f"{kind}:{owner}"
        except (ValueError, AttributeError):
            pass
    return "key:" + _sha256(api_key.encode("utf-8")).hexdigest()[:16]


def _sha256(data: bytes) -> Any:
    """SHA-256 without hashlib, which loads OpenSSL first (~5 ms): CPython's builtin module
    (`_sha256` in 3.11, `_sha2` later) gives the same digest."""
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found]
        except ImportError:
            from hashlib import sha256
    return sha256(data)
