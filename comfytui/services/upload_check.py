"""The one check a local file passes before it is uploaded (CLI `-i name=@path`, TUI form, sweeps).

The server takes a file when the MIME type guessed from its name starts with `image/`, `video/`,
`audio/` or `application/`, and refuses anything above 250 MB (reference §2.9). Checking here,
before any request, gives one line naming the input and the problem instead of a server 400
after a long upload: missing, a folder, not a regular file, unreadable, wrong type, too big.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from comfytui.errors import InputError
from comfytui.formats import size_text
from comfytui.sanitize import plain

ACCEPTED_TYPES = ("image/", "video/", "audio/", "application/")
MAX_UPLOAD_BYTES = 250 * 1024 * 1024  # §2.9: "File size exceeds 250MB limit"
_KINDS = "an image, video, audio or application file"


def upload_type(path: Path) -> str | None:
    """The MIME type the server will guess from the file's name (None when it cannot)."""
    import mimetypes  # late: ~4 ms, and only an upload is checked

    return mimetypes.guess_type(path.name)[0]


def check_upload(path: Path, *, max_bytes: int = MAX_UPLOAD_BYTES, input_id: str = "") -> Path:
    """`path` when the server would take it; else an InputError of one line."""
    where = f"input {plain(input_id, 60)}: " if input_id else ""
    shown = plain(path, 120)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{where}no such file: {shown}") from None
    except OSError as exc:
        raise InputError(f"{where}cannot read {shown}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{where}{shown} is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{where}{shown} is not a regular file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{where}cannot read {shown}: permission denied")
    kind = upload_type(path)
    if kind is None:
        raise InputError(
            f"{where}cannot tell the type of {plain(path.name, 60)} from its name; "
            f"the server takes {_KINDS}"
        )
    if not kind.startswith(ACCEPTED_TYPES):
        raise InputError(f"{where}{plain(path.name, 60)} is {kind}; the server takes {_KINDS}")
    if info.st_size > max_bytes:
        raise InputError(
            f"{where}{plain(path.name, 60)} is {size_text(info.st_size)}; "
            f"the server takes at most {size_text(max_bytes)}"
        )
    return path
