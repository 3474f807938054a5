"""Watches of one client share a pace: polls form an even stream, not lock-step bursts."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime

from support_client import deployment_id, make_client

from comfytui.api.watch import Pacer, poll
from comfytui.models import Run, RunStatus


def _run(run_id: str, status: RunStatus) -> Run:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    return Run(id=run_id, status=status, raw_status=status.value, created_at=now, updated_at=now)


async def test_pacer_spaces_concurrent_waits_evenly():
    pacer = Pacer(rate=200.0)  # 5 ms apart
    loop = asyncio.get_running_loop()
    stamps: list[float] = []

    async def one() -> None:
        await pacer.wait()
        stamps.append(loop.time())

    start = loop.time()
    await asyncio.gather(*(one() for _ in range(20)))
    stamps.sort()
    assert stamps[-1] - start >= 19 * 0.005 - 0.002  # slot n is n spacings after the first
    assert pacer._next >= start + 20 * 0.005


async def test_pacer_disabled_and_idle_pacer_does_not_wait():
    for pacer in (Pacer(rate=0.0), Pacer(rate=1.0)):
        start = time.perf_counter()
        await pacer.wait()
        assert time.perf_counter() - start < 0.05
    idle = Pacer(rate=100.0)
    await idle.wait()
    await asyncio.sleep(0.02)  # slots unused while idle are not owed later
    start = time.perf_counter()
    await idle.wait()
    assert time.perf_counter() - start < 0.005


async def test_polls_of_many_runs_share_the_pace():
    calls: dict[str, int] = {}
    stamps: list[float] = []

    async def get_run(run_id: str) -> Run:
        stamps.append(time.perf_counter())
        calls[run_id] = calls.get(run_id, 0) + 1
        status = RunStatus.SUCCESS if calls[run_id] >= 3 else RunStatus.RUNNING
        return replace(_run(run_id, status), progress=calls[run_id] / 3)

    pacer = Pacer(rate=500.0)  # 2 ms apart

    async def follow(run_id: str) -> Run:
        runs = [r async for r in poll(get_run, run_id, 0.001, 0.01, pacer=pacer)]
        return runs[-1]

    started = time.perf_counter()
    finals = await asyncio.gather(*(follow(f"r{n}") for n in range(30)))
    assert all(r.status is RunStatus.SUCCESS for r in finals)
    assert len(stamps) == 90
    # 90 requests at 2 ms spacing cannot finish sooner than 89 spacings after the first slot
    assert max(stamps) - started >= 89 * 0.002 - 0.002


async def test_client_watches_are_paced(emulator_factory):
    emu = emulator_factory(dialect="v2", speed=20.0)
    async with make_client(emu, poll_rate=100.0) as client:
        dep = await deployment_id(client)
        ids = [await client.queue_run(dep, {}) for _ in range(5)]
        loop = asyncio.get_running_loop()
        pacer = client._pacer
        before = pacer._next

        async def follow(run_id: str) -> Run:
            return [r async for r in client.watch_run(run_id, min_interval=0.01)][-1]

        start = loop.time()
        finals = await asyncio.gather(*(follow(i) for i in ids))
        assert all(r.is_terminal for r in finals)
        assert pacer._next > before and pacer._next >= start + 5 * 0.01


async def test_a_callable_interval_is_asked_before_each_wait():
    # the run watcher passes a callable: a run polled in the background waits longer than one
    # whose screen is open, and the answer may change while the run is followed
    calls = 0

    async def get_run(run_id: str) -> Run:
        nonlocal calls
        calls += 1
        status = RunStatus.SUCCESS if calls >= 4 else RunStatus.RUNNING
        return replace(_run(run_id, status), progress=calls / 4)

    asked: list[float] = []

    def interval() -> float:
        asked.append(0.05 if len(asked) < 2 else 0.001)
        return asked[-1]

    start = time.perf_counter()
    runs = [r async for r in poll(get_run, "r1", interval, 1.0)]
    assert [r.status for r in runs][-1] is RunStatus.SUCCESS and len(runs) == 4
    assert len(asked) >= 4  # once at the start, then before each of the three waits
    assert time.perf_counter() - start >= 0.05 + 0.001  # the waits followed the answers
