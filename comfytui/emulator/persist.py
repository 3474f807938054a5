"""The demo emulator's world on disk: one JSON file shared by every comfytui process.

Each process that runs the demo starts its own in-process emulator on a free port, but they all
read and write the same file, so `comfytui run ...` then `comfytui show run ID` (two processes)
or a TUI launch see one continuous world. Before a request the file is re-read when another
process changed it; a changing request (POST, PUT, PATCH, DELETE) holds an exclusive `flock` on
`<file>.lock` from the re-read until its result is saved, so two processes never lose each
other's runs. Writes are atomic (temporary file + `os.replace`). Uploaded file bodies stay in
memory: they matter only to the process that queued the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comfytui.emulator.lifecycle import RunRecord, RunView

if TYPE_CHECKING:
    from comfytui.emulator.state import EmulatorState

FORMAT = 1
ENTITIES = ("workflows", "versions", "deployments", "machines")
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOCK_TIMEOUT = 10.0


def _view_dict(view: RunView | None) -> dict[str, Any] | None:
    if view is None:
        return None
    out = asdict(view)
    for key, value in out.items():
        if isinstance(value, datetime):
            out[key] = value.isoformat()
    return out


def _view(raw: dict[str, Any] | None) -> RunView | None:
    if raw is None:
        return None
    values = {
        k: (datetime.fromisoformat(v) if k.endswith("_at") and v else v) for k, v in raw.items()
    }
    return RunView(**values)


def run_dict(record: RunRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in fields(RunRecord):
        value = getattr(record, item.name)
        if isinstance(value, RunView):
            value = _view_dict(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[item.name] = value
    return out


def run_record(raw: dict[str, Any]) -> RunRecord:
    known = {item.name for item in fields(RunRecord)}
    values = {k: v for k, v in raw.items() if k in known}
    values["created"] = datetime.fromisoformat(values["created"])
    values["nodes"] = tuple(values.get("nodes") or ("KSampler",))
    values["frozen"] = _view(values.get("frozen"))
    values["cancelled"] = _view(values.get("cancelled"))
    return RunRecord(**values)


class StateFile:
    """Load, save and share one emulator state file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._seen: tuple[int, int] | None = None  # (mtime_ns, size) last read or written
        self._guard = asyncio.Lock()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

    # -- whole file -----------------------------------------------------------------------------
    def load(self, state: EmulatorState) -> bool:
        """Replace the state's entities and runs from the file; False if missing or unusable."""
        stamp = self._stamp()
        try:
            raw = json.loads(self.path.read_text("utf-8"))
            if raw.get("format") != FORMAT or raw.get("seed") != state.seed:
                return False
            entities = {name: dict(raw[name]) for name in ENTITIES}
            runs = {key: run_record(value) for key, value in raw["runs"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return False
        with state.lock:
            for name, value in entities.items():
                setattr(state, name, value)
            state.runs = runs
        self._seen = stamp
        return True

    def save(self, state: EmulatorState) -> None:
        with state.lock:
            body = {
                "format": FORMAT,
                "seed": state.seed,
                **{name: getattr(state, name) for name in ENTITIES},
                "runs": {key: run_dict(record) for key, record in state.runs.items()},
            }
            text = json.dumps(body, separators=(",", ":"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._seen = self._stamp()

    def refresh(self, state: EmulatorState) -> None:
        """Re-read the file when another process wrote it since we last looked."""
        stamp = self._stamp()
        if stamp is not None and stamp != self._seen:
            self.load(state)

    def delete(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._seen = None

    # -- one request ----------------------------------------------------------------------------
    async def _lock(self) -> int:
        """An exclusive flock on the lock file, polled so a stuck peer cannot hang us forever."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if loop.time() > deadline:
                    return fd  # proceed unlocked rather than hang the request
                await asyncio.sleep(0.01)

    @contextlib.asynccontextmanager
    async def request(self, state: EmulatorState, method: str) -> AsyncIterator[None]:
        """Around one request: fresh state in, and for a changing request the result saved."""
        if method not in CHANGING:
            await asyncio.to_thread(self.refresh, state)
            yield
            return
        async with self._guard:
            fd = await self._lock()
            try:
                self.refresh(state)
                yield
                await asyncio.to_thread(self.save, state)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
