"""Watching many runs at once: event-loop lag while 200 runs are followed through the services.

- watch_200_runs: 200 runs are queued on an emulator running in its own process (`comfytui
  emulator --speed S`, so its CPU is not ours; runs last ~5 s), then followed at once with
  `session.runs.watch(run_id)` (poll with backoff, write every change through to the cache, save
  the outputs at the end: what the TUI's run watcher does). A probe task sleeps 10 ms in a loop
  and records how late it wakes; the figure is the p99 of that overshoot (ms), target 30 ms.
  The median and spread are over repeats (each repeat: fresh runs, fresh cache).
- watch_idle_lag_p99: the same probe on an idle loop in the same process (the floor: timer
  resolution and machine noise), no target.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.common import Result

ROOT = Path(__file__).resolve().parents[1]
PROBE_INTERVAL = 0.010


class Emulator:
    """`comfytui emulator` in a subprocess: its first two stdout lines give the URL and key."""

    def __init__(self, speed: float) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - its stderr, shown if it dies
        self.proc = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, "-m", "comfytui", "emulator", "--port", "0", "--speed", str(speed)],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=env,
            cwd=ROOT,
        )
        watchdog = threading.Timer(30.0, self.proc.kill)
        watchdog.start()
        try:
            assert self.proc.stdout is not None
            first, second = self.proc.stdout.readline(), self.proc.stdout.readline()
        finally:
            watchdog.cancel()
        if not first.startswith("comfytui emulator listening on ") or "api key:" not in second:
            self.close()
            raise RuntimeError(f"emulator did not start: {first!r} {second!r}")
        self.api_url = first.rsplit(" ", 1)[1].strip()
        self.api_key = second.split(":", 1)[1].strip()

    def check(self) -> None:
        """Raise with its exit status and last words if the emulator is gone."""
        if self.proc.poll() is not None:
            self.log.seek(0)
            tail = " | ".join(self.log.read().strip().splitlines()[-5:])
            raise RuntimeError(f"emulator exited with {self.proc.returncode}: {tail}")

    def close(self) -> None:
        self.log.close()
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _settings(home: Path, api_url: str, api_key: str):
    from comfytui.settings import Secret, load_settings

    settings = load_settings(environ={"COMFYTUI_HOME": str(home)}, keyring_lookup=False)
    return replace(settings, api_url=api_url, api_key=Secret(api_key), key_source="flag")


class Probe:
    """Sleeps PROBE_INTERVAL in a loop and records each overshoot (seconds)."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        clock = time.perf_counter
        while True:
            start = clock()
            await asyncio.sleep(PROBE_INTERVAL)
            self.lags.append(max(0.0, clock() - start - PROBE_INTERVAL))

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    def p99_ms(self) -> float:
        return _percentile(self.lags, 0.99) * 1000


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _idle_lag(seconds: float) -> float:
    probe = Probe()
    probe.start()
    await asyncio.sleep(seconds)
    await probe.stop()
    return probe.p99_ms()


async def _watch_once(
    emu: Emulator, home: Path, count: int, poll_rate: float | None = None
) -> dict[str, float]:
    from comfytui.models import RunStatus
    from comfytui.services import Session

    options = {} if poll_rate is None else {"poll_rate": poll_rate}
    settings = _settings(home, emu.api_url, emu.api_key)
    async with Session.open(settings, client_options=options) as session:
        deployment = await session.catalog.resolve_deployment("txt2img")
        deployment = await session.catalog.ensure_inputs(deployment)
        queue_started = time.perf_counter()
        runs = await asyncio.gather(
            *(session.runs.start(deployment, {"prompt": f"bench {n}"}) for n in range(count))
        )
        queued = time.perf_counter() - queue_started
        changes = 0

        async def follow(run_id: str) -> RunStatus:
            nonlocal changes
            status = None
            async for run in session.runs.watch(run_id):
                changes += 1
                status = run.status
            assert status is not None
            return status

        probe = Probe()
        probe.start()
        started = time.perf_counter()
        statuses = await asyncio.gather(*(follow(r.id) for r in runs))
        watched = time.perf_counter() - started
        await probe.stop()
        ok = sum(s is RunStatus.SUCCESS for s in statuses)
        if ok != count:
            raise RuntimeError(f"only {ok} of {count} runs succeeded: {set(statuses)}")
    return {
        "p99_ms": probe.p99_ms(),
        "max_ms": max(probe.lags, default=0.0) * 1000,
        "watched_s": watched,
        "queued_s": queued,
        "changes": changes,
    }


def _once(emu: Emulator, home: Path, count: int, poll_rate: float | None = None) -> dict:
    emu.check()
    try:
        return asyncio.run(_watch_once(emu, home, count, poll_rate))
    except Exception:
        emu.check()  # a dead emulator explains the error better than the client can
        raise


def _summarise(name: str, samples: list[dict[str, float]], head: str) -> Result:
    p99s = [s["p99_ms"] for s in samples]
    value = statistics.median(p99s)
    spread = (max(p99s) - min(p99s)) / value if value else 0.0
    mid = sorted(samples, key=lambda s: s["p99_ms"])[len(samples) // 2]
    note = (
        f"{head}; p99 per repeat {', '.join(f'{p:.1f}' for p in p99s)} ms; median repeat: "
        f"max {mid['max_ms']:.0f} ms, {mid['changes']:.0f} changes seen in {mid['watched_s']:.1f} s"
    )
    return Result(name, value, None, "ms", 30.0 if name == "watch_200_runs" else None, spread, note)


def run(quick: bool = False) -> list[Result]:
    count = 10 if quick else 200
    speed = 10.0 if quick else 0.7  # a run lasts 3.4 s / speed
    repeats = 1 if quick else 3
    paced: list[dict[str, float]] = []
    unpaced: list[dict[str, float]] = []
    with Emulator(speed) as emu, tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
        for n in range(repeats):  # interleaved, so drift in machine load hits both alike
            paced.append(_once(emu, Path(tmp) / f"p{n}", count))
            if not quick:
                unpaced.append(_once(emu, Path(tmp) / f"u{n}", count, 0.0))
    idle = asyncio.run(_idle_lag(0.5 if quick else 3.0))
    head = (
        f"{count} runs at once, emulator subprocess --speed {speed:g} "
        f"(a run ~{3.4 / speed:.1f} s), "
        f"{repeats} repeats"
    )
    results = [_summarise("watch_200_runs", paced, head + ", client poll_rate default")]
    if unpaced:
        results.append(
            _summarise("watch_200_runs_unpaced", unpaced, head + ", poll_rate=0 (no pacing)")
        )
    results.append(
        Result(
            "watch_idle_lag_p99",
            idle,
            None,
            "ms",
            None,
            note="same 10 ms probe on an idle loop in this process (timer floor)",
        )
    )
    return results


if __name__ == "__main__":
    for result in run(quick="--quick" in sys.argv):
        print(f"{result.name}: {result.value:.2f} {result.unit} (spread {result.spread:.2f})")
        print(f"  {result.note}")
