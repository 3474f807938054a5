"""`Session`: one server, its cache and its output folder, for the TUI and the CLI.

`async with Session.open(settings) as session:` (or `session = await Session.open(settings)` and
`await session.close()`). Opening needs no network: the cache is readable offline. Without an API
key (demo mode) an in-process emulator is started on a free loopback port and used instead; its
world lives in the data folder (services/demo.py), so every demo session shares one world and
the cache holds it under one server key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from comfytui.cache import Cache
from comfytui.errors import ConfigError
from comfytui.services.accounts import account_of
from comfytui.services.catalog import Catalog
from comfytui.services.demo import DEMO_SERVER_KEY, demo_state_file
from comfytui.services.lazy_client import LazyClient
from comfytui.services.listing import Connectivity
from comfytui.services.readonly import ReadOnlyClient
from comfytui.settings import Settings

if TYPE_CHECKING:
    from comfytui.api import ComfyDeployClient
    from comfytui.emulator.server import EmulatorServer
    from comfytui.services.logs import LogService
    from comfytui.services.outputs import OutputStore
    from comfytui.services.runs import RunService
    from comfytui.services.sweeps import SweepService


class Session:
    """The services for one server: `catalog`, `runs`, plus `demo`, `api_host`, `notice`."""

    def __init__(
        self,
        settings: Settings,
        client: ComfyDeployClient,
        cache: Cache,
        *,
        demo: bool,
        emulator: EmulatorServer | None = None,
        owns_emulator: bool = False,
    ) -> None:
        self.settings = settings
        self.client = client
        self.cache = cache
        self.demo = demo
        self.emulator = emulator
        self._owns_emulator = owns_emulator
        if settings.readonly:
            # The one place read-only mode is enforced: no service gets the mutating calls.
            client = ReadOnlyClient(client)  # type: ignore[assignment]
        self.client = client
        self.link = Connectivity(host=client.host)
        self.catalog = Catalog(client, cache, self.link)
        self._gallery: Any = None
        self._background: Any = None  # the demo emulator started later (background_demo)

    # runs, sweeps, logs and outputs are built on first use: `ls` and `show` need none of
    # them, and their modules (sweep planning, uploads, uuid, tempfile) cost ~12 ms to import

    @cached_property
    def outputs(self) -> OutputStore:
        from comfytui.services.outputs import OutputStore

        return OutputStore(self.settings.locations.outputs_dir)

    @cached_property
    def sweeps(self) -> SweepService:
        from comfytui.services.sweeps import SweepService

        concurrency = self.settings.sweep_concurrency
        return SweepService(
            self.client, self.cache, self.catalog, concurrency=concurrency, upload=self._upload
        )

    @cached_property
    def runs(self) -> RunService:
        from comfytui.services.runs import RunService

        runs = RunService(self.client, self.cache, self.catalog, self.outputs)
        runs.queue = self.sweeps.queue_single
        return runs

    @cached_property
    def logs(self) -> LogService:
        from comfytui.services.logs import LogService

        return LogService(self.client, self.cache)

    async def recover_sweeps(self) -> list[Any]:
        """`sweeps.recover()` when the cache holds a planned or unsettled run (else nothing to
        do, and the sweep machinery is not even imported)."""
        if not await self.cache.has_unsettled_runs():
            return []
        return await self.sweeps.recover()

    async def _upload(self, name: str, path: Path) -> str:
        return await self.client.upload_file(path)

    @property
    def gallery(self) -> Any:
        """The `GalleryService` (loaded on first use: Pillow and PyAV stay out of start-up)."""
        if self._gallery is None:
            from comfytui.services.gallery import GalleryService
            from comfytui.services.thumbnails import ThumbnailCache

            folder = self.settings.locations.cache_dir / "thumbnails"
            self._gallery = GalleryService(self.cache, ThumbnailCache(folder), self.runs)
        return self._gallery

    @property
    def readonly(self) -> bool:
        return isinstance(self.client, ReadOnlyClient)

    @property
    def api_host(self) -> str:
        return self.client.host

    @property
    def dialect_label(self) -> str:
        """What the UI calls the dialect in use ("hosted legacy API"); "" before it is known."""
        from comfytui.api.dialect import DIALECT_LABELS

        return DIALECT_LABELS.get(getattr(self.client, "dialect", None) or "", "")

    @property
    def server_key(self) -> str:
        return self.cache.server_key

    @property
    def notice(self) -> str | None:
        """One line to show once (the cache had to be rebuilt), else None."""
        return self.cache.notice

    @property
    def offline(self) -> bool:
        return self.link.offline

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        emulator: EmulatorServer | None = None,
        client_options: Mapping[str, Any] | None = None,
        offline: bool = False,
        background_demo: bool = False,
    ) -> _Opening:
        """Open (no network needed). `client_options`: extra ComfyDeployClient keywords
        (e.g. `retry_attempts=1` in tests). The client is built on its first network use
        (`LazyClient`); `offline=True`: never, every server call fails as unreachable.
        `background_demo=True` (the TUI): demo mode opens the cached demo world at once and
        starts the emulator on the first network use, in a thread (`session.emulator` is None
        until then)."""
        options = dict(client_options or {})
        return _Opening(cls, settings, emulator, options, offline, background_demo)

    @classmethod
    async def _open(
        cls,
        settings: Settings,
        emulator: EmulatorServer | None,
        client_options: dict[str, Any],
        offline: bool = False,
        background_demo: bool = False,
    ) -> Session:
        owns = False
        if emulator is None and settings.demo and background_demo and not offline:
            return await cls._open_background_demo(settings, client_options)
        if emulator is None and settings.demo:
            from comfytui.emulator.server import EmulatorServer

            emulator = EmulatorServer(
                speed=1.0, world="demo", state_file=demo_state_file(settings.locations)
            )
            await asyncio.to_thread(emulator.start)
            owns = True
        if emulator is not None:
            api_url, api_key = emulator.api_url, emulator.api_key
        else:
            assert settings.api_key is not None
            api_url, api_key = settings.api_url, settings.api_key.reveal()
        try:
            options = _client_options(settings)
            # Built on first network use: opening imports no httpx (see LazyClient).
            lazy = LazyClient(api_url, api_key, {**options, **client_options}, offline=offline)
            client = cast("ComfyDeployClient", lazy)
        except ValueError as exc:
            if owns and emulator is not None:
                await asyncio.to_thread(emulator.stop)
            raise ConfigError(str(exc)) from None
        if owns:
            server_key = DEMO_SERVER_KEY  # one demo server whatever port this launch got
        elif emulator is not None:
            server_key = client.origin
        else:
            server_key = f"{client.origin}#{account_of(api_key)}"
        try:
            cache = await Cache.open(settings.locations.cache_file(settings.profile), server_key)
        except BaseException:
            await client.aclose()
            if owns and emulator is not None:
                await asyncio.to_thread(emulator.stop)
            raise
        return cls(
            settings,
            client,
            cache,
            demo=emulator is not None and settings.demo,
            emulator=emulator,
            owns_emulator=owns,
        )

    @classmethod
    async def _open_background_demo(
        cls, settings: Settings, client_options: dict[str, Any]
    ) -> Session:
        """Demo mode without waiting for the emulator: the cache (the persisted demo world's
        rows) opens now; the emulator starts on the first network use (`BackgroundEmulator`)."""
        from comfytui.services.demo import BackgroundEmulator

        demo = BackgroundEmulator(demo_state_file(settings.locations))
        options = {**_client_options(settings), **client_options}
        client = cast("ComfyDeployClient", LazyClient.deferred(demo.start, options))
        cache = await Cache.open(settings.locations.cache_file(settings.profile), DEMO_SERVER_KEY)
        session = cls(settings, client, cache, demo=True)
        demo.started = session._demo_started
        session._background = demo
        return session

    def _demo_started(self, server: EmulatorServer) -> None:
        self.emulator = server
        self._owns_emulator = True

    def enable_probing(self) -> None:
        """After a failure, ask the server again in the background until it answers (the TUI
        calls this; a CLI command ends long before a probe would help)."""
        self.link.host = self.api_host
        self.link.probe = self._ping

    async def _ping(self) -> None:
        await self.prepare_network()
        await self.client.ping()

    async def prepare_network(self) -> None:
        """Load the HTTP client in a thread (imports httpx, reads the TLS trust store): the TUI
        calls this once its cached rows are painted, so the first frame never waits for it."""
        prepare = getattr(self.client, "prepare", None)
        if prepare is not None:
            await prepare()

    async def close(self) -> None:
        await self.link.aclose()
        try:
            await self.client.aclose()
        finally:
            try:
                await self.cache.close()
            finally:
                if self._background is not None:  # started or not, or a start under way
                    await asyncio.to_thread(self._background.stop)
                elif self._owns_emulator and self.emulator is not None:
                    await asyncio.to_thread(self.emulator.stop)

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _client_options(settings: Settings) -> dict[str, Any]:
    return {
        "dialect": settings.dialect,
        "connect_timeout": settings.connect_timeout,
        "read_timeout": settings.read_timeout,
        "max_body_bytes": int(settings.max_body_mb * 1_000_000),
    }


class _Opening:
    """What `Session.open` returns: await it, or use it with `async with`."""

    def __init__(
        self,
        cls: type[Session],
        settings: Settings,
        emulator: Any,
        client_options: dict[str, Any],
        offline: bool = False,
        background_demo: bool = False,
    ) -> None:
        self._args = (cls, settings, emulator, client_options, offline, background_demo)
        self._session: Session | None = None

    def __await__(self) -> Generator[Any, None, Session]:
        cls, *args = self._args
        return cls._open(*args).__await__()

    async def __aenter__(self) -> Session:
        cls, *args = self._args
        self._session = await cls._open(*args)
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
