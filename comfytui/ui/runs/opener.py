"""Open a saved file with the system viewer, where the system has one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def system_opener() -> list[str] | None:
    """The command that opens a file in the desktop's viewer, or None (e.g. a bare server)."""
    if sys.platform == "darwin":
        return ["open"] if shutil.which("open") else None
    if sys.platform.startswith("win"):
        return []  # os.startfile
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    for command in ("xdg-open", "gio", "wslview"):
        found = shutil.which(command)
        if found:
            return [found, "open"] if command == "gio" else [found]
    return None


def open_file(path: Path) -> str:
    """Open `path` detached from the terminal; returns the one line to show the user."""
    if not path.exists():
        return f"The saved file is missing: {path}"
    command = system_opener()
    if command is None:
        return f"No system viewer here (no display or xdg-open); the file is at {path}"
    try:
        if command == []:
            os.startfile(path)  # type: ignore[attr-defined]  # noqa: S606 - windows only
        else:
            subprocess.Popen(  # noqa: S603 - fixed command, path as one argument
                [*command, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
    except OSError as exc:
        return f"Could not open the viewer: {exc}"
    return f"Opened {path.name} with the system viewer"
