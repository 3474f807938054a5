"""The ASGI entry of each listener: request log, fault injection, then dialect dispatch."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from comfytui.emulator import routes_control, routes_v1, routes_v2, storage
from comfytui.emulator.faults import delayed, respond
from comfytui.emulator.state import EmulatorState

CONTROL_PREFIX = "/_emulator"


class Listener:
    """Logs every request, applies a matching fault, then hands over to `route(path)`."""

    def __init__(self, state: EmulatorState, route: Callable[[str], ASGIApp]) -> None:
        self.state = state
        self.route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        if path.startswith(CONTROL_PREFIX):
            await self.route(path)(scope, receive, send)
            return
        host, port = scope.get("server") or ("", 0)
        key = (method, path)
        in_flight = self.state.enter(key)
        self.state.record_request(
            {
                "at": time.time(),
                "in_flight": in_flight,  # requests of this method and path being answered
                "host": host,
                "port": port,
                "method": method,
                "path": path,
                "query": scope.get("query_string", b"").decode("latin-1"),
                "headers": {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
            }
        )
        try:
            fault = self.state.faults.pick(path, method)
            if fault is not None and await respond(fault, send, self.state.dialect != "v2"):
                return
            if fault is not None and fault.kind == "delay":
                send = delayed(fault, send)
            await self.route(path)(scope, receive, send)
        finally:
            self.state.leave(key)


def api_listener(state: EmulatorState) -> Listener:
    """The API host: `/api` served by the current dialect, `/_emulator` by the control app."""
    dialects: dict[str, ASGIApp] = {
        "v2": routes_v2.build(state),
        "legacy": routes_v1.build(state, hosted=True),
        "selfhost": routes_v1.build(state, hosted=False),
    }
    control = routes_control.build(state)

    def route(path: str) -> ASGIApp:
        return control if path.startswith(CONTROL_PREFIX) else dialects[state.dialect]

    return Listener(state, route)


def storage_listener(state: EmulatorState) -> Listener:
    app = storage.build(state)
    return Listener(state, lambda _path: app)
