"""Base URL handling: one normalised `/api` root, origin checks for the Authorization header.

Parsing the base URL needs no httpx (`urllib.parse`): an offline command or a TUI's first frame
knows the server's origin (the cache's key) without importing the HTTP stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from comfytui.errors import ConfigError
from comfytui.sanitize import plain

if TYPE_CHECKING:
    import httpx

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str | httpx.URL) -> tuple[str, str, int]:
    """(scheme, host, port) with the default port filled in, for same-origin comparison."""
    import httpx  # late: only the network paths compare origins, and they have httpx loaded

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

    @classmethod
    def parse(cls, base_url: str) -> ApiBase:
        text = base_url.strip()
        if "://" not in text:
            text = "https://" + text
        netloc = None
        try:
            url = urlsplit(text)
            scheme, host, port = url.scheme.lower(), url.hostname, url.port
            if scheme in _DEFAULT_PORTS and host and not any(c in host for c in " /\\"):
                host = host if host.isascii() else host.encode("idna").decode("ascii")
                netloc = f"[{host}]" if ":" in host else host
                if port is not None and port != _DEFAULT_PORTS[scheme]:
                    netloc += f":{port}"
        except (ValueError, UnicodeError):
            netloc = None
        if netloc is None:
            raise ConfigError(f"API URL {plain(base_url, 80)!r} is not an http(s) URL")
        path = url.path.rstrip("/")
        if not path.endswith("/api"):
            path += "/api"
        origin = f"{scheme}://{netloc}"
        return cls(origin + path, origin, netloc)

    def url(self, path: str) -> str:
        """Absolute URL of an API path given relative to the root (`run/123`, `/run/123`)."""
        rel = path.lstrip("/")
        if rel == "api" or rel.startswith("api/"):
            rel = rel[3:].lstrip("/")
        return f"{self.root}/{rel}" if rel else self.root

    def is_api_origin(self, url: str | httpx.URL) -> bool:
        return origin_of(url) == origin_of(self.origin)
