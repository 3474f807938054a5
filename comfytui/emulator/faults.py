"""Injected faults: specs, matching (route glob, method, next N or probability) and responses."""

from __future__ import annotations

import asyncio
import fnmatch
import json
import random
import threading
from dataclasses import asdict, dataclass
from typing import Any

from starlette.types import Message, Send

KINDS = (
    "429",
    "500",
    "502",
    "503",
    "401",
    "403",
    "404",
    "delay",
    "malformed",
    "huge",
    "content_type",
    "drop",
)
HUGE_BYTES = 50 * 1024 * 1024
_CHUNK = 1024 * 1024
_MESSAGES = {
    "429": "Too Many Requests",
    "500": "Internal server error",
    "502": "Bad Gateway",
    "503": "Service Unavailable",
    "401": "Invalid or expired token",
    "403": "Access denied. ",
    "404": "Not Found",
}


class DroppedConnection(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside the ASGI app to make uvicorn close the socket mid-body."""


@dataclass(frozen=True, slots=True)
class FaultSpec:
    kind: str
    route: str | None = None
    method: str | None = None
    count: int | None = None
    probability: float | None = None
    retry_after: float | None = None
    delay: float | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultSpec:
        """Validate a spec from JSON or CLI text; raises ValueError with a readable message."""
        unknown = set(data) - set(cls.__slots__)
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        kind = str(data.get("kind", ""))
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")

        def number(key: str, convert: type) -> Any:
            value = data.get(key)
            return None if value in (None, "", "null") else convert(value)

        method = data.get("method")
        return cls(
            kind=kind,
            route=data.get("route") or None,
            method=str(method).upper() if method else None,
            count=number("count", int),
            probability=number("probability", float),
            retry_after=number("retry_after", float),
            delay=number("delay", float),
        )

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """CLI form: `kind=429,route=/api/run/*,count=2,retry_after=1`."""
        fields: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"fault field {part!r} is not key=value")
            fields[key.strip()] = value.strip()
        return cls.from_dict(fields)

    def matches(self, path: str, method: str) -> bool:
        if self.method and self.method != method.upper():
            return False
        if self.route is None:
            return path == "/api" or path.startswith("/api/")
        return fnmatch.fnmatchcase(path, self.route)


class FaultSet:
    """The active faults; thread-safe (tests add faults from their own thread)."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._faults: list[list[Any]] = []  # [spec, remaining count or None]

    def add(self, spec: FaultSpec) -> None:
        with self._lock:
            self._faults.append([spec, spec.count])

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{**asdict(spec), "remaining": left} for spec, left in self._faults]

    def pick(self, path: str, method: str) -> FaultSpec | None:
        """The first fault that fires for this request (consuming one of its count)."""
        with self._lock:
            for entry in self._faults:
                spec, left = entry
                if not spec.matches(path, method):
                    continue
                if spec.probability is not None and self._rng.random() >= spec.probability:
                    continue
                if left is not None:
                    entry[1] = left - 1
                    if entry[1] <= 0:
                        self._faults.remove(entry)
                return spec
        return None


async def _send(
    send: Send, status: int, body: bytes, content_type: str, extra: list[tuple[bytes, bytes]] = ()
) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def delayed(spec: FaultSpec, send: Send) -> Send:
    """`send` that holds the answer back: a slow server does the work, then answers late.

    So a client that times out on a queue request has still started the run (the case a
    client must not "fix" by sending the request again).
    """
    wait = spec.delay if spec.delay is not None else 1.0
    held = False

    async def late_send(message: Message) -> None:
        nonlocal held
        if not held:
            held = True
            await asyncio.sleep(wait)
        await send(message)

    return late_send


async def respond(spec: FaultSpec, send: Send, plain_errors: bool) -> bool:
    """Answer the request with the fault; False for `delay` (see `delayed`)."""
    kind = spec.kind
    if kind == "delay":
        return False
    if kind in _MESSAGES:
        extra = []
        if kind == "429":
            retry = spec.retry_after if spec.retry_after is not None else 1
            extra.append((b"retry-after", f"{retry:g}".encode()))
        if plain_errors and kind == "401":
            await _send(send, 401, _MESSAGES[kind].encode(), "text/plain;charset=UTF-8", extra)
        else:
            key = "error" if plain_errors else "detail"
            body = json.dumps({key: _MESSAGES[kind]}).encode()
            await _send(send, int(kind), body, "application/json", extra)
    elif kind == "malformed":
        await _send(send, 200, b'{"run_id": "7d3a1c4e-8f5b-4c2a', "application/json")
    elif kind == "content_type":
        await _send(
            send,
            200,
            b"<html><body><h1>Welcome to nginx!</h1></body></html>",
            "text/html; charset=utf-8",
        )
    elif kind == "huge":
        await _huge(send)
    elif kind == "drop":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"id": "', "more_body": True})
        raise DroppedConnection
    return True


async def _huge(send: Send) -> None:
    """A valid 50 MB JSON object, streamed in 1 MB chunks (never held whole in memory)."""
    head, tail = b'{"padding": "', b'"}'
    filler = b"x" * _CHUNK
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": head, "more_body": True})
    remaining = HUGE_BYTES - len(head) - len(tail)
    while remaining > 0:
        chunk = filler[: min(_CHUNK, remaining)]
        remaining -= len(chunk)
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": tail})
