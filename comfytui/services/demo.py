"""The demo world's place on disk and its reset (`comfytui demo reset`).

Every demo session (TUI or CLI process) starts its own emulator on a free port, but they share
the emulator's state file in the data folder and one cache server key, so the demo is one
continuous world across launches and commands.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from comfytui.cache import Cache
from comfytui.errors import NetworkError
from comfytui.locations import Locations

if TYPE_CHECKING:
    from comfytui.emulator.server import EmulatorServer

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


class BackgroundEmulator:
    """The demo emulator of a session opened with `background_demo`: started by the session's
    client on its first network use (`start`, blocking, run in a thread), stopped at close."""

    def __init__(self, state_file: Path) -> None:
        self.state_file = state_file
        self.server: EmulatorServer | None = None
        self.started: Callable[[EmulatorServer], None] | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def start(self) -> tuple[str, str]:
        """Start it (once) and return its API URL and key."""
        with self._lock:
            if self._stopped:
                raise NetworkError("the demo emulator was stopped (the session closed)")
            if self.server is None:
                from comfytui.emulator.server import EmulatorServer

                server = EmulatorServer(speed=1.0, world="demo", state_file=self.state_file)
                server.start()
                self.server = server
                if self.started is not None:
                    self.started(server)
            return self.server.api_url, self.server.api_key

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self.server is not None:
                self.server.stop()
                self.server = None
