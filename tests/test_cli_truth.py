"""`show run` tells the truth (issue 14): a cached copy served because the server failed says so
on stderr and exits 4; a run the server answers 404 for is shown, and kept, as not-found."""

from __future__ import annotations

import json

from support_cli import run_cli
from support_ui import settings_for

from comfytui.services import Session

SLOW = 0.005  # a run stays running for minutes


async def test_show_run_from_the_cache_exits_4_then_not_found(emulator_factory):
    emu = emulator_factory(speed=SLOW)
    async with Session.open(settings_for(emu)) as session:
        deployment = await session.catalog.resolve_deployment("txt2img")
        run = await session.runs.start(deployment, {"prompt": "fox"})
    port = emu.port
    emu.stop()

    shown = run_cli(emu, "show", "run", run.id)
    assert shown.returncode == 4, shown.stderr
    assert run.id in shown.stdout and "fox" in shown.stdout  # the cached copy is printed
    assert "showing the cached copy" in shown.stderr and "Traceback" not in shown.stderr
    assert len(shown.stderr.strip().splitlines()) == 1

    offline = run_cli(emu, "show", "run", run.id, "--offline")
    assert offline.returncode == 0, offline.stderr  # asked for the cache: not a failure

    emulator_factory(speed=SLOW, port=port)  # the same address, a server that never saw it
    again = run_cli(emu, "show", "run", run.id, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["status"] == "not-found"
    kept = run_cli(emu, "show", "run", run.id, "--offline")
    assert kept.returncode == 0 and "not-found" in kept.stdout


async def test_an_ended_run_shows_no_live_status(emulator):
    # the server keeps its last "Executing <node>" after a run ended; nothing shows it as live
    async with Session.open(settings_for(emulator)) as session:
        deployment = await session.catalog.resolve_deployment("txt2img")
        run = await session.runs.start(deployment, {})
        seen = [change async for change in session.runs.watch(run.id, save=False)]
        last = seen[-1]
        assert last.status.value == "success" and last.live_status is None
        cached = await session.cache.get_run(run.id)
        assert cached is not None and cached.live_status is None
    raw = await _raw_run(emulator, run.id)
    assert raw["status"] == "success" and raw["live_status"].startswith("Executing")
    shown = run_cli(emulator, "show", "run", run.id)
    assert shown.returncode == 0 and "Executing" not in shown.stdout


async def _raw_run(emu, run_id: str) -> dict:
    import httpx

    headers = {"Authorization": f"Bearer {emu.api_key}"}
    async with httpx.AsyncClient() as http:
        reply = await http.get(f"{emu.api_url}/run/{run_id}", headers=headers)
    return reply.json()
