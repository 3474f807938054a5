"""The Logs tab following a run that logs 1,000 lines a second: event-loop lag p99 and memory.

The emulator floods the run's log stream (`log_flood`); the app (headless, `run_test`) follows
it in `RunLogsScreen`. Lag = how late a 10 ms timer fires on the app's loop (wall
clock: on a loaded shared machine mostly the OS scheduler); busy = CPU time the loop's thread
spent between two ticks (what our code blocks it for, independent of load). Baseline: the same
screen following a run with its normal log (a few lines a second), measured in the same run.
The emulator runs in a child process (`comfytui emulator`), as a real server is elsewhere: in
this process it would share the GIL and its cost would count as the app's lag.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from types import SimpleNamespace

import httpx

from benchmarks.common import Result

RATE = 1_000
ROUNDS = 3
LAG_TARGET_MS = 100.0  # p99 event-loop lag while following 1,000 lines/s (absolute)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def _emulator(speed: float) -> Iterator[SimpleNamespace]:
    """`comfytui emulator` in a child process; its URL and key from the two lines it prints."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "comfytui", "emulator", "--port", "0", "--speed", str(speed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        api_url = proc.stdout.readline().split()[-1]
        api_key = proc.stdout.readline().split()[-1]
        yield SimpleNamespace(
            api_url=api_url, api_key=api_key, base_url=api_url.removesuffix("/api")
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _settled(app) -> bool:  # noqa: ANN001
    main = getattr(app, "main", None)
    return app.session is not None and main is not None and all(p.revalidated for p in main.panes)


async def _follow(flood: float, seconds: float) -> tuple[float, float, int, float, float]:
    from comfytui.settings import load_settings
    from comfytui.ui.app import ComfyTUI
    from comfytui.ui.runs.logs import RunLogsScreen

    speed = 2.0 / (seconds + 1.0)  # the running phase (2.0 scaled s) lasts ~seconds + 1
    with _emulator(speed) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        httpx.post(emu.base_url + "/_emulator/config", json={"log_flood": flood}).raise_for_status()
        deps = httpx.get(emu.api_url + "/deployments", headers=headers).json()
        dep = next(d["id"] for d in deps if d["workflow"]["name"] == "txt2img")
        os.environ["COMFY_DEPLOY_API_URL"] = emu.api_url
        os.environ["COMFY_DEPLOY_API_KEY"] = emu.api_key
        app = ComfyTUI(load_settings())
        async with app.run_test(size=(120, 40)) as pilot:
            settled = asyncio.get_running_loop().time() + 60
            while not _settled(app) and asyncio.get_running_loop().time() < settled:
                await pilot.pause(0.05)  # start-up work (pane loads, lazy imports) is not ours
            run_id = httpx.post(
                emu.api_url + "/run/deployment/queue",
                json={"deployment_id": dep, "inputs": {}},
                headers=headers,
            ).json()["run_id"]
            screen = RunLogsScreen(run_id)
            app.push_screen(screen)
            await asyncio.sleep(1.0 / speed * 0.9)  # until the run is running
            rss0 = _rss_mb()
            lags: list[float] = []
            loop = asyncio.get_running_loop()
            cpu0 = time.process_time()
            end = loop.time() + seconds
            busy: list[float] = []
            while loop.time() < end:
                start, spent = loop.time(), time.thread_time()
                await asyncio.sleep(0.01)
                lags.append((loop.time() - start - 0.01) * 1000)
                busy.append((time.thread_time() - spent) * 1000)
            cpu = (time.process_time() - cpu0) / seconds
            lines = screen.total + len(screen.pending)
            lags.sort()
            busy.sort()
            p99 = int(len(lags) * 0.99) - 1
            return lags[p99], _rss_mb() - rss0, lines, cpu, busy[int(len(busy) * 0.99) - 1]


def run(quick: bool = False) -> list[Result]:
    seconds = 1.0 if quick else 8.0
    saved = {k: os.environ.get(k) for k in ("COMFY_DEPLOY_API_URL", "COMFY_DEPLOY_API_KEY")}
    home = os.environ.get("COMFYTUI_HOME")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COMFYTUI_HOME"] = tmp
        try:
            base, flood = [], []
            for _ in range(1 if quick else ROUNDS):  # interleaved: load drifts on a shared box
                base.append(asyncio.run(_follow(0.0, seconds)))
                flood.append(asyncio.run(_follow(float(RATE), seconds)))
        finally:
            for key, value in {**saved, "COMFYTUI_HOME": home}.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def median(rows: list[tuple[float, ...]], index: int) -> float:
        return statistics.median(row[index] for row in rows)

    def spread(rows: list[tuple[float, ...]], index: int) -> float:
        values = [row[index] for row in rows]
        mid = statistics.median(values)
        return (max(values) - min(values)) / mid if mid else 0.0

    lines = int(median(flood, 2))
    note = (
        f"median of {len(flood)} rounds, ~{lines} lines in {seconds:g} s at {RATE}/s; "
        "baseline = same screen, normal log; emulator in a child process"
    )
    return [
        Result(
            "logs_follow_lag_p99",
            median(flood, 0),
            median(base, 0),
            "ms",
            LAG_TARGET_MS,
            spread=spread(flood, 0),
            note=note,
            absolute=True,
        ),
        Result(
            "logs_follow_busy_p99",
            median(flood, 4),
            median(base, 4),
            "ms",
            LAG_TARGET_MS,
            spread=spread(flood, 4),
            note=note + "; main-thread CPU between two 10 ms ticks (load-independent)",
            absolute=True,
        ),
        Result("logs_follow_cpu", median(flood, 3), median(base, 3), "cpu s/s", None, note=note),
        Result("logs_follow_rss_growth", max(r[1] for r in flood), None, "MB", 100.0, note=note),
    ]
