"""Where comfytui keeps its files: config, cache and data folders.

`COMFYTUI_HOME` moves all three together (`$COMFYTUI_HOME/{config,cache,data}`); otherwise the
platform's folders from platformdirs (which honours the XDG variables). Nothing is created here
at import time: callers ask for a folder and create it when they write.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "comfytui"
HOME_ENV = "COMFYTUI_HOME"


@dataclass(frozen=True, slots=True)
class Locations:
    """The config, cache and data folders in force."""

    config_dir: Path
    cache_dir: Path
    data_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    def cache_file(self, profile: str = "default") -> Path:
        name = "cache.db" if profile == "default" else f"cache-{_safe(profile)}.db"
        return self.cache_dir / name

    @property
    def outputs_dir(self) -> Path:
        return self.data_dir / "outputs"

    @property
    def log_file(self) -> Path:
        return self.cache_dir / "comfytui.log"

    def ensure(self) -> Locations:
        for folder in (self.config_dir, self.cache_dir, self.data_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def _safe(profile: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in profile)[:64] or "default"


def locations(environ: os._Environ[str] | dict[str, str] | None = None) -> Locations:
    """The folders in force for this environment (read each call, so tests can monkeypatch)."""
    env = os.environ if environ is None else environ
    home = env.get(HOME_ENV)
    if home:
        root = Path(home).expanduser()
        return Locations(root / "config", root / "cache", root / "data")
    import platformdirs  # late: ~10 ms (it pulls in tempfile, shutil); COMFYTUI_HOME needs none

    return Locations(
        Path(platformdirs.user_config_dir(APP_NAME)),
        Path(platformdirs.user_cache_dir(APP_NAME)),
        Path(platformdirs.user_data_dir(APP_NAME)),
    )
