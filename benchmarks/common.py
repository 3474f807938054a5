"""Shared pieces of the benchmark suite: timing with repeats, and the result record.

Every benchmark module `benchmarks/bench_*.py` exposes `run(quick: bool = False) -> list[Result]`.
`quick=True` uses tiny sizes (the smoke test in `make test` calls it so the suite cannot rot).
Figures are ratios against a baseline measured in the same process, repeated: median and spread.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass


@dataclass
class Result:
    name: str
    value: float
    baseline: float | None
    unit: str
    target: float | None  # the ratio target, or the absolute target when baseline is None
    spread: float = 0.0  # (max - min) / median of the measured value, over repeats
    note: str = ""
    absolute: bool = False  # the target applies to the value even though a baseline is shown

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline

    @property
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        measured = self.ratio if self.baseline is not None and not self.absolute else self.value
        return measured is not None and measured <= self.target

    def as_dict(self) -> dict:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["ok"] = self.ok
        return data


def measure(fn: Callable[[], object], repeats: int = 5) -> tuple[float, float]:
    """Median seconds of `fn()` over `repeats` calls, and the relative spread."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return _summary(samples)


async def measure_async(
    fn: Callable[[], Awaitable[object]], repeats: int = 5
) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - start)
    return _summary(samples)


def _summary(samples: list[float]) -> tuple[float, float]:
    median = statistics.median(samples)
    spread = (max(samples) - min(samples)) / median if median else 0.0
    return median, spread
