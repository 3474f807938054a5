"""Control routes outside `/api` (no auth): faults, request log, reset, config, webhooks."""

from __future__ import annotations

from typing import Any

from fastapi import Body, FastAPI, HTTPException

from comfytui.emulator import DIALECTS
from comfytui.emulator.faults import FaultSpec
from comfytui.emulator.state import EmulatorState


def build(state: EmulatorState) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/_emulator/faults")
    async def add_fault(spec: dict[str, Any] = Body(...)):
        try:
            fault = FaultSpec.from_dict(spec)
        except (ValueError, TypeError) as exc:
            raise HTTPException(422, str(exc)) from None
        state.add_fault(fault)
        return {"faults": state.faults.active()}

    @app.get("/_emulator/faults")
    async def list_faults():
        return state.faults.active()

    @app.delete("/_emulator/faults")
    async def clear_faults():
        state.faults.clear()
        return {"faults": []}

    @app.get("/_emulator/requests")
    async def requests():
        return state.requests()

    @app.delete("/_emulator/requests")
    async def clear_requests():
        with state.lock:
            state.log.clear()
        return {"cleared": True}

    @app.post("/_emulator/reset")
    async def reset():
        state.reset()
        return {"reset": True}

    @app.post("/_emulator/config")
    async def config(body: dict[str, Any] = Body(...)):
        if "dialect" in body:
            if body["dialect"] not in DIALECTS:
                raise HTTPException(422, f"dialect must be one of {', '.join(DIALECTS)}")
            state.dialect = body["dialect"]
        if "speed" in body:
            state.speed = max(0.0, float(body["speed"]))
        if "log_flood" in body:
            state.log_flood = max(0.0, float(body["log_flood"]))
        return {"dialect": state.dialect, "speed": state.speed, "api_key": state.api_key}

    @app.get("/_emulator/webhooks")
    async def deliveries():
        with state.lock:
            return list(state.webhooks)

    return app
