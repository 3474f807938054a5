"""Soak: many runs through services against the emulator at speed 0 with ~10% random faults.

Every run the server created ends terminal in the cache (none lost), and the server holds no run
nobody asked for (no duplicate started by a retry: one queue request per start attempt).
`make test` runs the 1,000-run soak (speed 0, ~5 s); `make soak` adds a longer one whose runs
last long enough for dozens of watches to overlap.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from comfytui.errors import ApiError
from tests.test_reliability_faults import session_for

SOAK_FAULTS = ("429", "500", "502", "503", "drop", "malformed", "content_type", "delay")
TOTAL_PROBABILITY = 0.10
QUEUE_PATH = "/api/run/deployment/queue"


@dataclass
class SoakReport:
    runs: int = 0
    start_attempts: int = 0
    start_errors: int = 0
    watch_errors: int = 0
    faults_injected: int = 0
    requests: int = 0
    queue_requests: int = 0
    lost: int = 0
    duplicated: int = 0
    not_terminal: int = 0
    seconds: float = 0.0
    errors_by_type: dict[str, int] = field(default_factory=dict)


def count_faults(emu: Any) -> list[int]:
    """Wrap the emulator's fault picker (in-process) to count the faults it fires."""
    fired = [0]
    original = emu.state.faults.pick

    def pick(path: str, method: str):  # noqa: ANN202
        spec = original(path, method)
        if spec is not None:
            fired[0] += 1
        return spec

    emu.state.faults.pick = pick
    return fired


async def soak(emu: Any, wanted: int, concurrency: int = 8) -> SoakReport:
    report = SoakReport()
    started = time.monotonic()
    async with session_for(emu) as session:
        session.runs.min_interval = 0.005
        session.runs.max_interval = 0.05
        deployment = await session.catalog.resolve_deployment("txt2img")
        deployment = await session.catalog.ensure_inputs(deployment)
        before = set(emu.state.runs)
        log_before = len(emu.requests())
        fired = count_faults(emu)
        per_fault = 1 - (1 - TOTAL_PROBABILITY) ** (1 / len(SOAK_FAULTS))
        for kind in SOAK_FAULTS:
            emu.add_fault(kind=kind, probability=per_fault, retry_after=0.01, delay=0.05)

        started_ids: set[str] = set()
        next_index = iter(range(10**9))

        def note(error: BaseException) -> None:
            name = type(error).__name__
            report.errors_by_type[name] = report.errors_by_type.get(name, 0) + 1

        async def watch_to_end(run_id: str) -> None:
            for _ in range(50):
                try:
                    async for run in session.runs.watch(run_id):
                        if run.is_terminal:
                            return
                except ApiError as exc:
                    report.watch_errors += 1
                    note(exc)
                    await asyncio.sleep(0.005)
            raise AssertionError(f"run {run_id} could not be followed to its end")

        async def worker() -> None:
            while len(started_ids) < wanted:
                index = next(next_index)
                report.start_attempts += 1
                try:
                    run = await session.runs.start(deployment, {"prompt": f"soak {index}"})
                except ApiError as exc:
                    report.start_errors += 1
                    note(exc)
                    continue
                started_ids.add(run.id)
                await watch_to_end(run.id)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        emu.clear_faults()
        report.faults_injected = fired[0]

        log = emu.requests()[log_before:]
        report.requests = len(log)
        report.queue_requests = sum(
            1 for r in log if r["method"] == "POST" and r["path"] == QUEUE_PATH
        )
        created = set(emu.state.runs) - before
        cached = {run_id: await session.cache.get_run(run_id) for run_id in created}
        report.runs = len(started_ids)
        report.lost = sum(1 for run in cached.values() if run is None)
        report.not_terminal = sum(1 for run in cached.values() if run and not run.is_terminal)
        # a run on the server nobody got an id for, or more queue requests than attempts
        report.duplicated = len(created - started_ids) + max(
            0, report.queue_requests - report.start_attempts
        )
        assert len(emu.requests()) < 20_000, "request log overflowed: counts would be wrong"
    report.seconds = round(time.monotonic() - started, 1)
    return report


def check(report: SoakReport, wanted: int) -> None:
    print(f"\nSOAK {report}")
    assert report.runs >= wanted
    assert report.faults_injected > 0 and report.start_errors > 0
    assert report.lost == 0
    assert report.not_terminal == 0
    assert report.duplicated == 0
    assert report.queue_requests == report.start_attempts  # queue_run is never retried


async def test_soak_1000_runs(emulator_factory):
    """1,000 runs at speed 0 with ~10% faults, 12 at a time (fits in `make test`: ~5 s)."""
    emu = emulator_factory(speed=0.0, seed=7)
    report = await soak(emu, 1000, concurrency=12)
    check(report, 1000)
    assert report.seconds < 180


@pytest.mark.soak
@pytest.mark.timeout(240)
async def test_soak_overlapping_watches(emulator_factory):
    """`make soak`: 2,000 runs that each last ~0.2 s (speed 20), 32 watched at once."""
    emu = emulator_factory(speed=20.0, seed=11)
    report = await soak(emu, 2000, concurrency=32)
    check(report, 2000)
    assert report.seconds < 180
