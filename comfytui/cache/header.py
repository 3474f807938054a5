"""The cheap checks of a cache file before SQLite sees it (no asyncio, no aiosqlite: the sync
reader runs them too): a directory, an empty, foreign, damaged or truncated file."""

from __future__ import annotations

import os
import struct
from pathlib import Path

__all__ = ["EmptyFile", "UnusableFile", "check_header"]

_MAGIC = b"SQLite format 3\x00"
_COMPANIONS = ("-wal", "-shm", "-journal")


class UnusableFile(Exception):
    """The file at the cache path cannot serve as this cache; the message says why."""


class EmptyFile(UnusableFile):
    """Nothing to keep: rebuilt in place, never moved (another process may hold it open)."""


def check_header(path: Path) -> None:
    """Cheap checks before SQLite sees the file: a directory, empty, foreign or truncated file."""
    if path.is_dir():
        raise UnusableFile("a directory is in its place")
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
            size = os.fstat(fh.fileno()).st_size
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UnusableFile(f"it cannot be read ({exc.strerror})") from None
    if any(path.with_name(path.name + suffix).exists() for suffix in _COMPANIONS):
        # A journal or WAL: a write may be under way in another process (first page half
        # written, header ahead of the file). SQLite judges that under its locks (`_probe`).
        return
    if size == 0:
        raise EmptyFile("it was empty")
    if len(header) < 100 or not header.startswith(_MAGIC):
        raise UnusableFile("it is not a database")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", header[24:32])
    valid_for = struct.unpack(">I", header[92:96])[0]
    if page_size < 512 or page_size & (page_size - 1):
        raise UnusableFile("its header is damaged")
    if valid_for == change_counter and page_count and size < page_count * page_size:
        raise UnusableFile("it is truncated")  # (with a WAL to replay we returned above)
