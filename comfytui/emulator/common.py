"""Small helpers shared by the emulator modules: time formatting and identifiers."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime

FILE_ID_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def now() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    """Serialise like the backends: ISO-8601 trimmed to milliseconds with a `Z`."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def seeded_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from `rng`, so seed data is the same for the same seed."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def file_id(prefix: str = "img_") -> str:
    """A storage object id like the legacy server's: prefix plus 16 characters."""
    rng = random.SystemRandom()
    return prefix + "".join(rng.choice(FILE_ID_ALPHABET) for _ in range(16))


def api_key_for(seed: int) -> str:
    """The bearer key the emulator accepts: deterministic per seed."""
    digest = hashlib.sha256(f"comfytui-emulator-{seed}".encode()).hexdigest()
    return f"cd_emu_{digest[:40]}"
