"""Emulator figures: start time, and runs created and finished per second at speed 0."""

from __future__ import annotations

import statistics
import time

import httpx

from benchmarks.common import Result, measure
from comfytui.emulator.server import EmulatorServer


def _start_stop() -> None:
    emu = EmulatorServer(speed=0.0).start()
    emu.stop()


def _start_only() -> tuple[float, float]:
    """Median start time (listeners accepting), stop excluded, and its spread."""
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        emu = EmulatorServer(speed=0.0).start()
        samples.append(time.perf_counter() - started)
        emu.stop()
    median = statistics.median(samples)
    return median, (max(samples) - min(samples)) / median


def _runs_per_second(runs: int) -> tuple[float, float]:
    with (
        EmulatorServer(speed=0.0) as emu,
        httpx.Client(
            base_url=emu.api_url, headers={"Authorization": f"Bearer {emu.api_key}"}
        ) as api,
    ):
        deployment_id = next(
            d["id"]
            for d in emu.state.deployments.values()
            if emu.state.workflow_name(d["workflow_id"]) == "txt2img"
        )

        def batch() -> None:
            for _ in range(runs):
                run_id = api.post(
                    "/run/deployment/queue", json={"deployment_id": deployment_id}
                ).json()["run_id"]
                assert api.get(f"/run/{run_id}").json()["status"] == "success"

        seconds, spread = measure(batch, repeats=3)
    return runs / seconds, spread


def run(quick: bool = False) -> list[Result]:
    start, start_spread = _start_only()
    cycle, cycle_spread = measure(_start_stop, repeats=2 if quick else 5)
    rate, spread = _runs_per_second(50 if quick else 1000)
    return [
        Result(
            "emulator_start_s",
            start,
            None,
            "s",
            None,
            start_spread,
            note="EmulatorServer.start() until both listeners accept",
        ),
        Result("emulator_start_stop_s", cycle, None, "s", None, cycle_spread, note="start + stop"),
        Result(
            "emulator_runs_per_s",
            rate,
            None,
            "runs/s",
            None,
            spread,
            note="queue + one GET (already success) per run, speed 0, one keep-alive client",
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(f"{result.name}: {result.value:.4g} {result.unit} (spread {result.spread:.2f})")
