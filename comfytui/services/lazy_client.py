"""`LazyClient`: the session's API client, built on its first network use.

Building `ComfyDeployClient` imports httpx, httpcore, ssl and the retry stack (~100-200 ms with
httpx's optional CLI pulling in rich and click) and loads the TLS trust store. A command reading
the cache (`ls --offline`) never needs it, and the TUI paints its cached rows before it does, so
the session holds this stand-in: the origin and host come from the URL alone (no httpx), and any
other attribute builds the real client and forwards to it. `prepare()` builds it in a thread
(the TUI calls it after its first frame). With `offline=True` nothing is built: every call fails
with a NetworkError, so the services serve the cache marked offline.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from comfytui.api.dialect import DIALECTS
from comfytui.api.urls import ApiBase
from comfytui.errors import ConfigError, ConnectFailedError

if TYPE_CHECKING:
    from comfytui.api.client import ComfyDeployClient

OFFLINE = "--offline: the local cache only"
#: client methods that return an async iterator (the others are coroutines)
_STREAMS = frozenset({"watch_run", "stream_run", "stream_logs"})
#: where a session with a server started later (`LazyClient.deferred`) says it talks to
PENDING_HOST = "local emulator"


class OfflineError(ConnectFailedError):
    """A server call of a session opened offline (nothing was sent)."""


class LazyClient:
    """Stands in for a `ComfyDeployClient` (same attributes); see the module docstring."""

    def __init__(
        self, api_url: str, api_key: str, options: dict[str, Any], *, offline: bool = False
    ) -> None:
        self._base = ApiBase.parse(api_url)  # a bad URL or dialect fails at open, as before
        dialect = options.get("dialect", "auto")
        if dialect != "auto" and dialect not in DIALECTS:
            raise ConfigError(f"unknown API dialect {dialect!r}: use auto, {', '.join(DIALECTS)}")
        self._args = (api_url, api_key, options)
        self._offline = offline
        self._client: ComfyDeployClient | None = None
        self._lock = threading.Lock()
        self._endpoint: Callable[[], tuple[str, str]] | None = None

    @classmethod
    def deferred(
        cls, endpoint: Callable[[], tuple[str, str]], options: dict[str, Any]
    ) -> LazyClient:
        """A client whose server is started on first network use: `endpoint()` (blocking, run
        in a thread by `prepare()`) starts it and returns its API URL and key. Until then the
        host reads `PENDING_HOST`, and every call first awaits `prepare()`."""
        client = cls("http://127.0.0.1/api", "", options)
        client._endpoint = endpoint
        return client

    @property
    def origin(self) -> str:
        return self._base.origin

    @property
    def host(self) -> str:
        return PENDING_HOST if self._endpoint is not None else self._base.host

    @property
    def api_url(self) -> str:
        return self._base.root

    @property
    def dialect(self) -> str | None:
        """The dialect in use once known (configured, or probed by the real client)."""
        if self._client is not None:
            return self._client.dialect
        configured = self._args[2].get("dialect", "auto")
        return None if configured == "auto" else configured

    @property
    def built(self) -> bool:
        return self._client is not None

    def get(self) -> ComfyDeployClient:
        """The real client, built now if it is not yet."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._build()
        return self._client

    def _build(self) -> ComfyDeployClient:
        _without_httpx_cli()
        from comfytui.api.client import ComfyDeployClient

        if self._endpoint is not None:
            api_url, api_key = self._endpoint()  # starts the server (the demo emulator)
            self._base = ApiBase.parse(api_url)
            self._args = (api_url, api_key, self._args[2])
            self._endpoint = None
        api_url, api_key, options = self._args
        try:
            return ComfyDeployClient(api_url, api_key, **options)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    async def prepare(self) -> None:
        """Build the client in a thread (imports and the TLS store overlap the loop's work)."""
        if self._client is None and not self._offline:
            await asyncio.to_thread(self.get)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._offline:
            return _offline_call
        if self._client is None and self._endpoint is not None:
            # Not started yet: start it in a thread on the first call, never on the loop.
            return self._after_prepare(name)
        return getattr(self.get(), name)

    def _after_prepare(self, name: str) -> Callable[..., Any]:
        if name in _STREAMS:

            async def stream(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
                await self.prepare()
                async for item in getattr(self.get(), name)(*args, **kwargs):
                    yield item

            return stream

        async def call(*args: Any, **kwargs: Any) -> Any:
            await self.prepare()
            return await getattr(self.get(), name)(*args, **kwargs)

        return call


async def _offline_call(*args: object, **kwargs: object) -> Any:
    raise OfflineError(OFFLINE)


def _without_httpx_cli() -> None:
    """Import httpx without its optional command-line tool: `httpx/__init__` does
    `try: from ._main import main`, which loads click, pygments and rich (~60 ms) whenever they
    are installed. Marked missing for that one import, httpx falls back to a stub `main`."""
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx  # noqa: F401
    finally:
        if sys.modules.get("httpx._main", False) is None:
            del sys.modules["httpx._main"]
