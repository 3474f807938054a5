"""Base URL handling: one normalised `/api` root, origin checks for the Authorization header."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import httpx

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
    """

    root: str  # scheme://host[:port][/prefix]/api, no trailing slash
    origin: str  # scheme://host[:port]
    host: str  # host[:port] as shown to users

    @classmethod
    def parse(cls, base_url: str) -> ApiBase:
        text = base_url.strip()
        if "://" not in text:
            text = "https://" + text
        url = httpx.URL(text)
        if url.scheme not in _DEFAULT_PORTS or not url.host:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        path = url.path.rstrip("/")
        if not path.endswith("/api"):
            path += "/api"
        netloc = url.netloc.decode("ascii")
        origin = f"{url.scheme}://{netloc}"
        return cls(root=origin + path, origin=origin, host=netloc)

    def url(self, path: str) -> str:
        """Absolute URL of an API path given relative to the root (`run/123`, `/run/123`)."""
        rel = path.lstrip("/")
        if rel == "api" or rel.startswith("api/"):
            rel = rel[3:].lstrip("/")
        return f"{self.root}/{rel}" if rel else self.root

    def is_api_origin(self, url: str | httpx.URL) -> bool:
        return origin_of(url) == origin_of(self.origin)
