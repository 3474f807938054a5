"""Per-call overhead of `ComfyDeployClient.get_run` against a raw httpx GET + json.loads on the
same connection, and against the comfydeploy SDK 0.6.3 `run.get_async`, on one emulator."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx

from benchmarks.common import Result
from comfytui.api import ComfyDeployClient
from comfytui.emulator.server import EmulatorServer


async def _batch(call: Callable[[], Awaitable[object]], calls: int) -> float:
    """Seconds per call over `calls` sequential calls."""
    start = time.perf_counter()
    for _ in range(calls):
        await call()
    return (time.perf_counter() - start) / calls


def _summary(samples: list[float]) -> tuple[float, float]:
    median = statistics.median(samples)
    return median, (max(samples) - min(samples)) / median if median else 0.0


async def _measure(emu: EmulatorServer, calls: int, repeats: int) -> dict[str, list[float]]:
    from comfydeploy import ComfyDeploy

    async with ComfyDeployClient(emu.api_url, emu.api_key, dialect="v2") as client:
        deployment_id = next(d.id for d in await client.list_deployments() if d.name == "txt2img")
        run_id = await client.queue_run(deployment_id, {"prompt": "bench"})
        url = f"{client.api_url}/run/{run_id}"
        raw_client = client._transport._client  # the very connection our client uses
        headers = {"Authorization": f"Bearer {emu.api_key}"}

        async def raw() -> object:
            response = await raw_client.get(url, headers=headers)
            return json.loads(response.content)

        async def ours() -> object:
            return await client.get_run(run_id)

        sdk_http = httpx.AsyncClient()
        sdk = ComfyDeploy(bearer=emu.api_key, server_url=client.api_url, async_client=sdk_http)

        async def sdk_get() -> object:
            return await sdk.run.get_async(run_id=run_id)

        samples: dict[str, list[float]] = {"raw": [], "ours": [], "sdk": []}
        try:
            for fn in (raw, ours, sdk_get):  # warm up connections and caches
                await _batch(fn, 5)
            for _ in range(repeats):  # interleaved, so drift hits all three alike
                samples["raw"].append(await _batch(raw, calls))
                samples["ours"].append(await _batch(ours, calls))
                samples["sdk"].append(await _batch(sdk_get, calls))
        finally:
            await sdk_http.aclose()
        return samples


def run(quick: bool = False) -> list[Result]:
    calls, repeats = (20, 2) if quick else (300, 7)
    with EmulatorServer(speed=0.0) as emu:
        samples = asyncio.run(_measure(emu, calls, repeats))
    raw, _ = _summary(samples["raw"])
    ours, ours_spread = _summary(samples["ours"])
    sdk, _ = _summary(samples["sdk"])
    note = f"{calls} sequential calls x {repeats} repeats, median; emulator v2 speed 0"
    return [
        Result(
            "client_get_run",
            ours,
            raw,
            "s/call",
            1.3,
            ours_spread,
            note="get_run vs raw httpx GET + json.loads on the same connection; " + note,
        ),
        Result(
            "client_vs_sdk",
            ours,
            sdk,
            "s/call",
            1.0,
            ours_spread,
            note="get_run vs comfydeploy 0.6.3 run.get_async; " + note,
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(
            f"{result.name}: {result.value * 1e6:.0f} us vs {result.baseline * 1e6:.0f} us "
            f"= {result.ratio:.2f} (target {result.target})"
        )
