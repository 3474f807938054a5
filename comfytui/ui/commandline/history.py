"""Command-mode history: one command a line in `<data>/command_history`, newest last.

Up/down walk it from the newest; a failure to read or write the file never stops the prompt
(history is a convenience: it is kept in memory then).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

LIMIT = 500


class CommandHistory:
    def __init__(self, path: Path | None, limit: int = LIMIT) -> None:
        self.path = path
        self.limit = limit
        self.entries: list[str] = self._load()
        self._pos = len(self.entries)

    def _load(self) -> list[str]:
        if self.path is None:
            return []
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        return [line for line in text.splitlines() if line.strip()][-self.limit :]

    def add(self, line: str) -> None:
        line = " ".join(line.split())
        if not line:
            return
        if not self.entries or self.entries[-1] != line:
            self.entries.append(line)
            del self.entries[: -self.limit]
            self._save()
        self.reset()

    def _save(self) -> None:
        if self.path is None:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text("\n".join(self.entries) + "\n", encoding="utf-8")
            os.replace(tmp, self.path)

    def reset(self) -> None:
        self._pos = len(self.entries)

    def older(self) -> str | None:
        if self._pos == 0:
            return self.entries[0] if self.entries else None
        self._pos -= 1
        return self.entries[self._pos]

    def newer(self) -> str | None:
        """The next newer entry, or "" past the newest (an empty prompt)."""
        if self._pos >= len(self.entries):
            return None
        self._pos += 1
        return self.entries[self._pos] if self._pos < len(self.entries) else ""
