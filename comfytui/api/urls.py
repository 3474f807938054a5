"""Base URL handling: one normalised `/api` root, origin checks for the Authorization header."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import httpx

from comfytui.errors import ConfigError
from comfytui.sanitize import plain

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str | httpx.URL) -> tuple[str, str, int]:
    """(scheme, host, port) with the default port filled in, for same-origin comparison."""
    parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    scheme = parsed.scheme.lower()
    return scheme, parsed.host.lower(), parsed.port or _DEFAULT_PORTS.get(scheme, 0)


def segment(value: object) -> str:
    """Quote one path segment (an id typed by a user may hold `/`, `?` or spaces)."""
    return quote(str(value), safe="")


@dataclass(frozen=True, slots=True)
class ApiBase:
    """The API root of one server, e.g. `http://127.0.0.1:8000/api`.

    Accepts the origin alone, the origin with `/api`, either with trailing slashes, and a
    path prefix (`https://example.com/comfy/api`); never produces a doubled `/api`.
    Anything but an http(s) URL is a ConfigError.
    """

    root: str  # scheme://host[:port][/prefix]/api, no trailing slash
    origin: str  # scheme://host[:port]
    host: str  # host[:port] as shown to users
    origin_key: tuple[str, str, int] = ("", "", 0)  # for same-origin checks

    @classmethod
    def parse(cls, base_url: str) -> ApiBase:
        text = base_url.strip()
        if "://" not in text:
            text = "https://" + text
        try:
            url = httpx.URL(text)
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in _DEFAULT_PORTS or not url.host:
            raise ConfigError(f"API URL {plain(base_url, 80)!r} is not an http(s) URL")
        path = url.path.rstrip("/")
        if not path.endswith("/api"):
            path += "/api"
        netloc = url.netloc.decode("ascii")
        origin = f"{url.scheme}://{netloc}"
        return cls(origin + path, origin, netloc, origin_of(url))

    def url(self, path: str) -> str:
        """Absolute URL of an API path given relative to the root (`run/123`, `/run/123`)."""
        rel = path.lstrip("/")
        if rel == "api" or rel.startswith("api/"):
            rel = rel[3:].lstrip("/")
        return f"{self.root}/{rel}" if rel else self.root

    def is_api_origin(self, url: str | httpx.URL) -> bool:
        return origin_of(url) == self.origin_key
