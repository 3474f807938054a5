"""Saving output files under `<data>/outputs/<run_id>/` with names that cannot escape it.

Server-given names are data: they may hold `..`, absolute paths, separators of either OS,
control characters or NUL, be hundreds of characters long, or be a Windows device name.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

MAX_NAME_BYTES = 150
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"|?*]')
_RESERVED = re.compile(
    r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$", re.IGNORECASE
)


def safe_filename(name: object, fallback: str = "output") -> str:
    """A plain file name: last path part only, no controls, no leading dots, capped in length."""
    text = str(name or "").replace("\\", "/").split("/")[-1]
    text = _UNSAFE.sub("_", text).strip().strip(". ")
    text = text.lstrip(".")  # no hidden files, no `..`
    if not text:
        text = fallback
    if _RESERVED.match(text):
        text = f"_{text}"
    return _cap(text)


def _cap(text: str, limit: int = MAX_NAME_BYTES) -> str:
    if len(text.encode("utf-8")) <= limit:
        return text
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > 16:
        stem, ext = text, ""
    suffix = f".{ext}" if ext else ""
    budget = limit - len(suffix.encode("utf-8"))
    short = stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(". ")
    return (short or "output") + suffix


def sha256_hex(content: bytes) -> str:
    import hashlib  # late: offline commands never hash an output

    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class StoredFile:
    """A file written into the outputs folder."""

    path: Path
    sha256: str
    size: int
    written: bool  # False when identical content was already there


class OutputStore:
    """`<root>/<run_id>/<file>`; never overwrites, never deletes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def folder(self, run_id: str) -> Path:
        return self.root / safe_filename(run_id, "run")

    def save(self, run_id: str, filename: str, content: bytes) -> StoredFile:
        """Write `content`; reuse a file with the same content, rename on a name collision."""
        folder = self.folder(run_id)
        folder.mkdir(parents=True, exist_ok=True)
        digest = sha256_hex(content)
        name = safe_filename(filename)
        for _attempt in range(5):  # another saver may take the same free name meanwhile
            same = self._same_content(folder, len(content), digest)
            if same is not None:
                return StoredFile(same, digest, len(content), written=False)
            target = self._free_name(folder, name)
            try:
                self._write_atomic(target, content)
            except FileExistsError:
                continue
            return StoredFile(target, digest, len(content), written=True)
        raise FileExistsError(f"no free name for {name} in {folder}")

    @staticmethod
    def _same_content(folder: Path, size: int, digest: str) -> Path | None:
        for entry in folder.iterdir():
            try:
                if (
                    entry.is_file()
                    and entry.stat().st_size == size
                    and not entry.name.startswith(".tmp-")
                    and sha256_hex(entry.read_bytes()) == digest
                ):
                    return entry
            except OSError:
                continue
        return None

    @staticmethod
    def _free_name(folder: Path, name: str) -> Path:
        """`name`, or `name-2.ext`, `name-3.ext`, ... (still within the length cap)."""
        target = folder / name
        stem, dot, ext = name.rpartition(".")
        if not dot or not stem:
            stem, ext = name, ""
        suffix = f".{ext}" if ext else ""
        n = 1
        while target.exists() or target.is_symlink():
            n += 1
            tag = f"-{n}{suffix}"
            budget = MAX_NAME_BYTES - len(tag.encode("utf-8"))
            short = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
            target = folder / f"{short}{tag}"
        if folder.resolve() not in target.resolve().parents:
            raise ValueError(f"refusing to write outside {folder}")
        return target

    @staticmethod
    def _write_atomic(target: Path, content: bytes) -> None:
        """Write to a temporary file, then link it in: a crash never leaves half a file."""
        import tempfile  # late: tempfile pulls in shutil and random; only saving needs it

        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            try:
                os.link(tmp, target)  # fails rather than overwrite a file created meanwhile
            except FileExistsError:
                raise
            except OSError:  # no hard links on this file system
                with open(target, "xb") as fh:
                    fh.write(content)
        finally:
            os.unlink(tmp)
