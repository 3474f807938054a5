"""Turn an HTTP reply or an httpx exception into one error of `comfytui.errors`, one line each.

Messages name the host and what to do; server text is flattened, shortened and never echoes
the API key (it is masked should a server reflect it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from comfytui.errors import (
    AnswerTimeoutError,
    ApiError,
    AuthError,
    ConnectFailedError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    ValidationError,
)
from comfytui.sanitize import plain

_DETAIL_LIMIT = 160


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: a number or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _decode(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None


def _field_errors(items: list[Any]) -> list[str]:
    """FastAPI `detail` list or Zod `issues` list -> ["body.deployment_id: field required", ...]."""
    out = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        loc = item.get("loc", item.get("path")) or ()
        where = ".".join(str(p) for p in loc) if isinstance(loc, list) else str(loc)
        msg = plain(item.get("msg", item.get("message", "invalid value")), 120)
        out.append(f"{where}: {msg}" if where else msg)
    return out


def _detail(content: bytes, content_type: str) -> tuple[str, list[str]]:
    """The server's explanation (one line) and field errors, from any of the known shapes."""
    data = _decode(content)
    fields: list[str] = []
    text: Any = None
    if isinstance(data, Mapping):
        for key in ("detail", "error", "message"):
            value = data.get(key)
            if isinstance(value, list):
                fields = _field_errors(value)
            elif isinstance(value, Mapping):  # Zod: {"error": {"issues": [...], "name": ...}}
                issues = value.get("issues")
                fields = _field_errors(issues) if isinstance(issues, list) else []
                text = value.get("message") or value.get("name")
            elif value not in (None, ""):
                text = value
            if text or fields:
                break
    elif data is None and "html" not in content_type.lower():
        snippet = content[:400].decode("utf-8", "replace").strip()
        text = None if snippet.startswith("<") else snippet
    if text is None and fields:
        text = "; ".join(fields)
    return (plain(text, _DETAIL_LIMIT) if text else ""), fields


def error_for_status(
    status: int,
    headers: httpx.Headers,
    content: bytes,
    host: str,
    secret: str = "",
    *,
    key_sent: bool = True,
) -> ApiError:
    """The error for a non-2xx reply from `host` (`key_sent`: the request carried the key)."""
    detail, fields = _detail(content, headers.get("content-type", ""))
    if secret and secret in detail:
        detail = detail.replace(secret, "***")
    said = f": {detail}" if detail else ""
    lowered = detail.lower()
    if status == 401 and not key_sent:  # a storage host or CDN: the key was never involved
        return ForbiddenError(f"{host} refused access (HTTP 401); no API key is sent there")
    if status == 401:
        return AuthError(f"API key rejected by {host}: check COMFY_DEPLOY_API_KEY", status_code=401)
    if status == 403:
        return ForbiddenError(f"{host} refused the request{said or ' (403)'}", status_code=403)
    if status == 404 or (status in (400, 500) and "not found" in lowered):
        what = detail or "not found"
        return NotFoundError(f"{what} on {host}", status_code=status)
    if status == 422 or (status == 400 and fields):
        message = f"{host} rejected the request: {'; '.join(fields) or detail or 'invalid fields'}"
        return ValidationError(message, fields=fields, status_code=status)
    if status == 429:
        wait = retry_after_seconds(headers.get("retry-after"))
        hint = f"try again in {wait:.0f} s" if wait is not None else "try again shortly"
        return RateLimitedError(f"rate limited by {host}; {hint}", retry_after=wait)
    if status >= 500:
        return ServerError(f"{host} had a server error (HTTP {status}){said}", status_code=status)
    if 300 <= status < 400:
        return ProtocolError(f"{host} answered with an unexpected redirect (HTTP {status})")
    return ApiError(f"{host} rejected the request (HTTP {status}){said}", status_code=status)


def error_for_exception(exc: httpx.HTTPError, host: str, timeouts: httpx.Timeout) -> ApiError:
    """The error for an httpx transport failure while talking to `host`."""
    if isinstance(exc, httpx.ConnectTimeout):
        return ConnectFailedError(
            f"cannot connect to {host}: no answer within {timeouts.connect:g} s; check the URL"
        )
    if isinstance(exc, httpx.PoolTimeout):
        return ConnectFailedError(f"cannot connect to {host}: too many requests in flight")
    if isinstance(exc, httpx.ConnectError):
        reason = plain(exc, 120) or "connection refused"
        return ConnectFailedError(f"cannot connect to {host}: {reason}; check the URL and network")
    if isinstance(exc, httpx.TimeoutException):
        seconds = timeouts.read or 0.0
        return AnswerTimeoutError(
            f"{host} did not answer within {seconds:g} s", host=host, seconds=seconds
        )
    if isinstance(exc, httpx.DecodingError):
        return ProtocolError(f"{host} sent a body that could not be decoded")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ProtocolError(f"cannot request {host}: {plain(exc, 120)}")
    return NetworkError(f"connection to {host} dropped before the answer was complete")
