"""`EmulatorServer`: both listeners on loopback, served by uvicorn in one background thread."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import uvicorn

from comfytui.emulator import DIALECTS
from comfytui.emulator.app import api_listener, storage_listener
from comfytui.emulator.faults import DroppedConnection, FaultSpec
from comfytui.emulator.quiet_server import QuietServer
from comfytui.emulator.state import EmulatorState

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


class _QuietDrops(logging.Filter):
    """Hide uvicorn's traceback for the deliberate `drop` fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections (else ~40 ms/request)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _as_spec(fault: FaultSpec | str | dict[str, Any]) -> FaultSpec:
    if isinstance(fault, FaultSpec):
        return fault
    return FaultSpec.parse(fault) if isinstance(fault, str) else FaultSpec.from_dict(fault)


class EmulatorServer:
    """The emulator on loopback: `start()`/`stop()` or `with EmulatorServer(...) as emu:`."""

    def __init__(
        self,
        dialect: str = "v2",
        speed: float = 1.0,
        seed: int = 0,
        faults: Iterable[FaultSpec | str | dict[str, Any]] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        storage_port: int = 0,
        world: str = "test",
        state_file: Path | None = None,
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}")
        self.host, self.port, self.storage_port = host, port, storage_port
        specs = [_as_spec(f) for f in faults]
        self.state = EmulatorState(
            dialect=dialect,
            speed=speed,
            seed=seed,
            faults=specs,
            world=world,
            state_file=state_file,
        )
        self._servers: list[QuietServer] = []
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # -- addresses ------------------------------------------------------------------------------
    @property
    def api_key(self) -> str:
        return self.state.api_key

    @property
    def base_url(self) -> str:
        return f"http://{self._netloc(self.port)}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api"

    @property
    def storage_url(self) -> str:
        return f"http://{self._netloc(self.storage_port)}"

    def _netloc(self, port: int) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{port}"

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> EmulatorServer:
        """Bind both ports, start uvicorn in a thread and return once both listeners accept."""
        if self._thread is not None:
            return self
        api_sock, storage_sock = _bind(self.host, self.port), _bind(self.host, self.storage_port)
        self.port, self.storage_port = api_sock.getsockname()[1], storage_sock.getsockname()[1]
        self.state.storage_url = self.storage_url
        self._servers = [
            self._server(api_listener(self.state)),
            self._server(storage_listener(self.state)),
        ]
        self._ready.clear()
        self._thread = threading.Thread(
            target=self._run,
            args=([api_sock], [storage_sock]),
            name="comfytui-emulator",
            daemon=True,
        )
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT) or self._error is not None:
            self.stop()
            raise RuntimeError(f"emulator failed to start: {self._error!r}")
        return self

    def _server(self, app: Any) -> QuietServer:
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            loop="asyncio",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=5,
        )
        return QuietServer(config)

    def _run(self, *sockets: list[socket.socket]) -> None:
        try:
            asyncio.run(self._serve(sockets))
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc
            self._ready.set()

    async def _serve(self, sockets: tuple[list[socket.socket], ...]) -> None:
        tasks = [
            asyncio.create_task(server.serve(sockets=socks))
            for server, socks in zip(self._servers, sockets, strict=True)
        ]
        while not all(server.started for server in self._servers):
            if any(task.done() for task in tasks):
                break
            await asyncio.sleep(0.005)
        self._ready.set()
        await asyncio.gather(*tasks)

    def stop(self) -> None:
        """Ask both servers to exit and wait for the thread (bounded)."""
        for server in self._servers:
            server.stop()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
            if self._thread.is_alive():
                for server in self._servers:
                    server.force_exit = True
                self._thread.join(STOP_TIMEOUT)
        self._thread = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- in-process control -------------------------------------------------------------------
    def reset(self) -> None:
        """Seed state again, with the dialect, speed and faults given at construction."""
        self.state.reset()

    def add_fault(self, **spec: Any) -> None:
        self.state.add_fault(FaultSpec.from_dict(spec))

    def clear_faults(self) -> None:
        self.state.faults.clear()

    def requests(self) -> list[dict[str, Any]]:
        return self.state.requests()

    def configure(self, *, speed: float | None = None, dialect: str | None = None) -> None:
        if dialect is not None:
            if dialect not in DIALECTS:
                raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}")
            self.state.dialect = dialect
        if speed is not None:
            self.state.speed = max(0.0, speed)

    def webhooks(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.webhooks)
