"""Local file input helpers: filesystem completion for an `Input`, and a file picker modal."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import DirectoryTree, Label, Static

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"})


def is_url(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered.startswith(("http://", "https://", "data:"))


def complete_path(text: str, *, limit: int = 200) -> str | None:
    """First filesystem completion of `text` (directories end with `/`), or None."""
    if not text or is_url(text) or "\n" in text:
        return None
    expanded = os.path.expanduser(text)
    head, prefix = os.path.split(expanded)
    folder = Path(head or ".")
    try:
        names: Iterable[os.DirEntry[str]] = os.scandir(folder)
        matches = []
        for index, entry in enumerate(names):
            if index > 5000:
                break
            if entry.name.startswith(prefix) and entry.name != prefix:
                if prefix == "" and entry.name.startswith("."):
                    continue
                matches.append(entry)
                if len(matches) >= limit:
                    break
    except OSError:
        return None
    if not matches:
        return None
    best = min(matches, key=lambda e: (not _is_dir(e), e.name.casefold()))
    completed = best.name + ("/" if _is_dir(best) else "")
    # keep what the user typed (e.g. `~/`) and append the rest of the name
    return text + completed[len(prefix) :]


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


class PathSuggester(Suggester):
    """Completes local paths as the user types (accept with `right`); URLs get no suggestion."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete_path, value)


class ImageTree(DirectoryTree):
    """A directory tree listing folders and image files only (hidden entries left out)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
                    yield path
            except OSError:
                continue


class FilePickerScreen(ModalScreen[Path | None]):
    """Pick an image file from a directory tree; `enter` on a file chooses it, `escape` cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="runs.picker.cancel"),
        Binding("backspace", "parent", "Parent folder", id="runs.picker.parent"),
    ]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self.start = _existing_folder(start)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label("Choose an image  (enter: choose · backspace: parent · escape: cancel)")
            yield Static(Text(str(self.start)), id="picker-path")
            yield ImageTree(self.start, id="picker-tree")

    def on_mount(self) -> None:
        self.query_one(ImageTree).focus()

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(Path(event.path))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_parent(self) -> None:
        tree = self.query_one(ImageTree)
        parent = Path(tree.path).resolve().parent
        tree.path = parent
        self.query_one("#picker-path", Static).update(Text(str(parent)))


def _existing_folder(start: Path | None) -> Path:
    candidates = []
    if start is not None:
        start = start.expanduser()
        candidates += [start, start.parent]
    candidates += [Path.cwd(), Path.home()]
    for candidate in candidates:
        try:
            if candidate.is_dir():
                return candidate.resolve()
        except OSError:
            continue
    return Path("/")
