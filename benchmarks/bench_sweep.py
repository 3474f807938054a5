"""Sending a 100-run sweep: client-side overhead of the durable sweep path.

- sweep_send_100: `session.sweeps.create(plan)` + `send(concurrency=4)` of 100 runs (every
  planned run written to the cache before its request, claimed, then marked queued, and the run
  written through) against an emulator at speed 0 in its own process, vs a bare `httpx` loop
  POSTing the same 100 queue requests with 4 in flight against the same emulator. Ratio of
  seconds (lower is better); both sides also give runs/s in the note.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import httpx

from benchmarks.bench_watch import Emulator, _settings
from benchmarks.common import Result, measure_async

RUNS = 100
CONCURRENCY = 4


async def _bare(api_url: str, api_key: str, deployment_id: str, runs: int) -> None:
    limit = asyncio.Semaphore(CONCURRENCY)
    headers = {"Authorization": f"Bearer {api_key}"}
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:

        async def one(n: int) -> None:
            async with limit:
                body = {"deployment_id": deployment_id, "inputs": {"prompt": "b", "width": n}}
                response = await client.post(f"{api_url}/run/deployment/queue", json=body)
                response.raise_for_status()
                assert response.json()["run_id"]

        await asyncio.gather(*(one(n) for n in range(runs)))


async def _ours(session: object, runs: int) -> None:
    from comfytui.services.sweep_plan import SweepPlan

    deployment = await session.catalog.resolve_deployment(_DEPLOYMENT["id"])
    plan = SweepPlan({"prompt": ["s"], "width": list(range(runs))})
    sweep = await session.sweeps.create(deployment, plan)
    done = await session.sweeps.send(sweep.id, concurrency=CONCURRENCY)
    assert done.counts == {"queued": runs}, done.counts


_DEPLOYMENT: dict[str, str] = {}


def run(quick: bool = False) -> list[Result]:
    runs = 10 if quick else RUNS
    repeats = 2 if quick else 5
    with Emulator(speed=0.0) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        listed = httpx.get(f"{emu.api_url}/deployments", headers=headers, timeout=30).json()
        _DEPLOYMENT["id"] = next(d["id"] for d in listed if d["workflow"]["name"] == "txt2img")

        async def both() -> tuple[tuple[float, float], tuple[float, float]]:
            bare = await measure_async(
                lambda: _bare(emu.api_url, emu.api_key, _DEPLOYMENT["id"], runs), repeats
            )

            from comfytui.services import Session

            with tempfile.TemporaryDirectory() as tmp:
                settings = _settings(Path(tmp), emu.api_url, emu.api_key)
                async with Session.open(settings) as session:
                    ours = await measure_async(lambda: _ours(session, runs), repeats)
            return bare, ours

        (bare, bare_spread), (ours, spread) = asyncio.run(both())
    return [
        Result(
            "sweep_send_100",
            ours,
            bare,
            "s",
            target=3.0,
            spread=spread,
            note=(
                f"{runs} runs: {runs / ours:.0f} runs/s durable sweep vs {runs / bare:.0f} "
                f"runs/s bare httpx (spread {bare_spread:.0%}); session opened once"
            ),
        )
    ]
