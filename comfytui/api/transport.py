"""The only place that touches httpx: one AsyncClient, capped streamed bodies, key only to the API.

Every request goes through `Transport.send` (or `Transport.stream` for SSE). Redirects are
followed here, not by httpx, so the Authorization header is decided per hop: it is attached
only when the hop's origin is the configured API origin. Downloads never carry it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from comfytui.api.errmap import error_for_exception, error_for_status
from comfytui.api.tls import LazyTrustContext
from comfytui.api.urls import ApiBase
from comfytui.errors import InputError, ProtocolError

MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}
_USER_AGENT = "comfytui/0.1 (+httpx)"
NO_BODY = object()


@dataclass(frozen=True, slots=True)
class Reply:
    """A complete, size-checked response."""

    status: int
    headers: httpx.Headers
    content: bytes
    url: str
    host: str

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """Decode by content, not by label: self-hosted servers send JSON as text/plain."""
        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError):
            kind = self.content_type or "no content type"
            raise ProtocolError(f"{self.host} sent an unusable answer: not JSON ({kind})") from None


def host_of(url: str | httpx.URL) -> str:
    parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    return parsed.netloc.decode("ascii", "replace") or "the server"


def _megabytes(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB"


async def read_capped(response: httpx.Response, limit: int, host: str) -> bytes:
    """The (decoded) body, refusing more than `limit` bytes before holding them in memory."""
    declared = response.headers.get("content-length", "")
    too_big = ProtocolError(f"reply from {host} is larger than {_megabytes(limit)}")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _check_type(response: httpx.Response, allowed: tuple[str, ...], host: str) -> None:
    if not allowed:
        return
    kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not kind.startswith(allowed):
        wanted = " or ".join(allowed)
        raise ProtocolError(f"{host} sent {kind or 'no content type'} where {wanted} was expected")


class Transport:
    """Holds the one `httpx.AsyncClient` of a client's life."""

    def __init__(
        self,
        base: ApiBase,
        api_key: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_body_bytes: int = 20_000_000,
    ) -> None:
        self.base = base
        self.max_body_bytes = max_body_bytes
        self.timeouts = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._secret = api_key
        self._auth = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            timeout=self.timeouts,
            follow_redirects=False,
            headers={"User-Agent": _USER_AGENT, "Accept": "application/json"},
            verify=LazyTrustContext(),  # httpx's default trust, read on the first TLS hop
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _headers(self, url: httpx.URL, auth: bool, extra: Mapping[str, str] | None) -> dict:
        headers = dict(extra or {})
        if auth and self.base.is_api_origin(url):
            headers.update(self._auth)
        return headers

    def _build(
        self,
        method: str,
        url: str | httpx.URL,
        params: Any,
        body: Any,
        content: Any,
        headers: Any,
        auth: bool,
    ) -> httpx.Request:
        target = httpx.URL(url)
        extra = dict(headers or {})
        if body is not NO_BODY:
            try:
                content = json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
            except (TypeError, ValueError) as exc:
                raise InputError(f"values must be JSON text, numbers or booleans: {exc}") from None
            extra["Content-Type"] = "application/json"
        try:
            return self._client.build_request(
                method,
                target,
                params=params,
                content=content,
                headers=self._headers(target, auth, extra),
            )
        except httpx.InvalidURL as exc:
            raise ProtocolError(f"cannot request {host_of(target)}: {exc}") from None

    async def send(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = NO_BODY,
        content: bytes | AsyncIterable[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        max_bytes: int | None = None,
        allowed_types: tuple[str, ...] = (),
    ) -> Reply:
        """Send one request (following GET redirects) and read the capped body.

        A non-2xx status raises its mapped error; a 2xx reply whose content type does not start
        with one of `allowed_types` (when given) raises ProtocolError before its body is read.
        Transport failures raise `ConnectFailedError` only when no connection could be opened.
        """
        limit = max_bytes or self.max_body_bytes
        request = self._build(method, url, params, json_body, content, headers, auth)
        for _ in range(MAX_REDIRECTS + 1):
            host = host_of(request.url)
            try:
                response = await self._client.send(request, stream=True)
                try:
                    location = response.headers.get("location")
                    status = response.status_code
                    if status in _REDIRECTS and location and method in ("GET", "HEAD"):
                        # Rebuilt by us so the key goes along only if the new origin is the API's.
                        target = request.url.join(location)
                        request = self._build(method, target, None, NO_BODY, None, headers, auth)
                        continue
                    if 200 <= status < 300:
                        _check_type(response, allowed_types, host)
                    body = await read_capped(response, limit, host)
                finally:
                    await response.aclose()
            except httpx.HTTPError as exc:
                raise error_for_exception(exc, host, self.timeouts) from None
            if not 200 <= status < 300:
                raise error_for_status(
                    status,
                    response.headers,
                    body,
                    host,
                    self._secret,
                    key_sent="authorization" in request.headers,
                )
            return Reply(status, response.headers, body, str(request.url), host)
        raise ProtocolError(f"{host_of(request.url)} redirected more than {MAX_REDIRECTS} times")

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = NO_BODY,
        read_timeout: float | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """An open streaming response with a 2xx status (for SSE); errors are mapped."""
        request = self._build(
            method, url, params, json_body, None, {"Accept": "text/event-stream"}, True
        )
        request.extensions["timeout"] = httpx.Timeout(
            read_timeout, connect=self.timeouts.connect
        ).as_dict()
        host = host_of(request.url)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise error_for_exception(exc, host, self.timeouts) from None
        try:
            if not 200 <= response.status_code < 300:
                body = await read_capped(response, self.max_body_bytes, host)
                raise error_for_status(
                    response.status_code, response.headers, body, host, self._secret
                )
            yield response
        except httpx.HTTPError as exc:
            raise error_for_exception(exc, host, self.timeouts) from None
        finally:
            await response.aclose()
