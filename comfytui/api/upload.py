"""Input file uploads: v2 multipart `POST /api/file/upload`, legacy presigned `PUT`.

Bodies are streamed from disk in chunks with an optional `on_progress(sent, total)` callback
(file bytes). Each attempt reopens the file, so a retried request never sends half a body.
"""

from __future__ import annotations

import mimetypes
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from comfytui.api.retry import RetryPolicy
from comfytui.api.transport import Reply, Transport
from comfytui.errors import InputError

CHUNK = 64 * 1024
ProgressCallback = Callable[[int, int], object]


def guess_type(path: Path, content_type: str | None) -> str:
    return content_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def file_size(path: Path) -> int:
    try:
        if not path.is_file():
            raise InputError(f"not a file: {path}")
        return path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


async def _file_chunks(
    path: Path,
    total: int,
    on_progress: ProgressCallback | None,
    head: bytes = b"",
    tail: bytes = b"",
) -> AsyncIterator[bytes]:
    if head:
        yield head
    sent = 0
    if on_progress is not None:
        on_progress(0, total)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            sent += len(chunk)
            yield chunk
            if on_progress is not None:
                on_progress(sent, total)
    if tail:
        yield tail


@dataclass(frozen=True, slots=True)
class Body:
    """A streamed request body: call `stream()` once per attempt."""

    path: Path
    size: int  # file bytes (what on_progress counts)
    content_type: str  # of the whole body
    file_type: str  # of the file itself
    head: bytes = b""
    tail: bytes = b""
    on_progress: ProgressCallback | None = None

    @property
    def length(self) -> int:
        return len(self.head) + self.size + len(self.tail)

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(self.length)}

    def stream(self) -> AsyncIterator[bytes]:
        return _file_chunks(self.path, self.size, self.on_progress, self.head, self.tail)


def multipart_body(
    path: Path, content_type: str | None, on_progress: ProgressCallback | None
) -> Body:
    """`multipart/form-data` with the single field `file` (v2 upload route)."""
    size = file_size(path)
    boundary = secrets.token_hex(16)
    name = path.name.replace("\\", "\\\\").replace('"', "%22").replace("\r", "").replace("\n", "")
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {guess_type(path, content_type)}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    kind = guess_type(path, content_type)
    multipart = f"multipart/form-data; boundary={boundary}"
    return Body(path, size, multipart, kind, head, tail, on_progress)


def raw_body(path: Path, content_type: str | None, on_progress: ProgressCallback | None) -> Body:
    """The file as it is (presigned PUT)."""
    kind = guess_type(path, content_type)
    return Body(path, file_size(path), kind, kind, on_progress=on_progress)


async def send(
    transport: Transport, retry: RetryPolicy, method: str, url: str, body: Body
) -> Reply:
    """Send a streamed body: the v2 POST, or the presigned PUT to the storage host.

    The storage host never gets the key (`auth=False`; it is another origin anyway). The PUT is
    idempotent and may retry; the POST retries only when nothing was sent.
    """
    headers = body.headers
    if method == "PUT":
        headers["x-amz-acl"] = "public-read"  # part of the signed command (§1.5, §7)
    return await retry.call(
        lambda: transport.send(
            method, url, content=body.stream(), headers=headers, auth=method != "PUT"
        ),
        idempotent=method == "PUT",
    )
