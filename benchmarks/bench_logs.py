"""The Logs tab following a run that logs 1,000 lines a second: event-loop lag p99 and memory.

The emulator floods the run's log stream (`log_flood`); the app (headless, `run_test`) follows
it in `RunLogsScreen`. Lag = how late a 10 ms timer fires on the app's loop. Baseline: the same
screen following a run with its normal log (a few lines a second), measured in the same run.
"""

from __future__ import annotations

import asyncio
import os
import resource
import tempfile

import httpx

from benchmarks.common import Result

RATE = 1_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _follow(flood: float, seconds: float) -> tuple[float, float, int]:
    from comfytui.emulator.server import EmulatorServer
    from comfytui.settings import load_settings
    from comfytui.ui.app import ComfyTUI
    from comfytui.ui.runs.logs import RunLogsScreen

    speed = 2.0 / (seconds + 1.0)  # the running phase (2.0 scaled s) lasts ~seconds + 1
    with EmulatorServer(speed=speed) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        httpx.post(emu.base_url + "/_emulator/config", json={"log_flood": flood}).raise_for_status()
        deps = httpx.get(emu.api_url + "/deployments", headers=headers).json()
        dep = next(d["id"] for d in deps if d["workflow"]["name"] == "txt2img")
        run_id = httpx.post(
            emu.api_url + "/run/deployment/queue",
            json={"deployment_id": dep, "inputs": {}},
            headers=headers,
        ).json()["run_id"]
        os.environ["COMFY_DEPLOY_API_URL"] = emu.api_url
        os.environ["COMFY_DEPLOY_API_KEY"] = emu.api_key
        app = ComfyTUI(load_settings())
        async with app.run_test(size=(120, 40)) as pilot:
            while app.session is None:
                await pilot.pause(0.05)
            screen = RunLogsScreen(run_id)
            app.push_screen(screen)
            await asyncio.sleep(1.0 / speed * 0.9)  # until the run is running
            rss0 = _rss_mb()
            lags: list[float] = []
            loop = asyncio.get_running_loop()
            end = loop.time() + seconds
            while loop.time() < end:
                start = loop.time()
                await asyncio.sleep(0.01)
                lags.append((loop.time() - start - 0.01) * 1000)
            lines = screen.total + len(screen.pending)
            lags.sort()
            return lags[int(len(lags) * 0.99) - 1], _rss_mb() - rss0, lines


def run(quick: bool = False) -> list[Result]:
    seconds = 1.0 if quick else 8.0
    saved = {k: os.environ.get(k) for k in ("COMFY_DEPLOY_API_URL", "COMFY_DEPLOY_API_KEY")}
    home = os.environ.get("COMFYTUI_HOME")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COMFYTUI_HOME"] = tmp
        try:
            base_lag, _base_mem, _ = asyncio.run(_follow(0.0, seconds))
            lag, mem, lines = asyncio.run(_follow(float(RATE), seconds))
        finally:
            for key, value in {**saved, "COMFYTUI_HOME": home}.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    note = f"{lines} lines at {RATE}/s; baseline = same screen, normal log"
    return [
        Result("logs_follow_lag_p99", lag, base_lag, "ms", None, note=note),
        Result("logs_follow_rss_growth", mem, None, "MB", 100.0, note=note),
    ]
