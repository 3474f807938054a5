"""The demo world's place on disk and its reset (`comfytui demo reset`).

Every demo session (TUI or CLI process) starts its own emulator on a free port, but they share
the emulator's state file in the data folder and one cache server key, so the demo is one
continuous world across launches and commands.
"""

from __future__ import annotations

from pathlib import Path

from comfytui.cache import Cache
from comfytui.locations import Locations

DEMO_SERVER_KEY = "demo:local-emulator"
STATE_NAME = "demo-emulator.json"


def demo_state_file(locations: Locations) -> Path:
    return locations.data_dir / STATE_NAME


async def reset_demo(locations: Locations, profile: str = "default") -> bool:
    """Forget the demo world and its cached rows; the next demo session seeds afresh.
    True if there was a saved world."""
    state = demo_state_file(locations)
    existed = state.exists()
    state.unlink(missing_ok=True)
    cache_file = locations.cache_file(profile)
    if cache_file.exists():
        async with await Cache.open(cache_file, DEMO_SERVER_KEY) as cache:
            await cache.forget_server()
    return existed
