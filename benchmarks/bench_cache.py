"""Cache benchmarks: first page of 100,000 runs, upserting 10,000 runs, bytes per 10,000 runs.

Each figure is a ratio against the same work through raw `sqlite3` in the same process:
- cache_first_page: the page as the Runs view reads it, `Cache.list_run_summaries(limit=200)`
  (rows -> `RunSummary`) vs the same SQL fetched with `sqlite3` (rows only);
- cache_first_page_full (report): `Cache.list_runs(limit=200)` on a fresh read (rows -> full `Run`
  models) vs its SQL with `sqlite3`; cache_first_page_warm: that page read again, when unchanged
  rows reuse the Run decoded before (the Cache keeps a bounded identity memo);
- cache_upsert: `Cache.upsert_runs(runs)` (models -> rows -> executemany in one transaction) vs
  `executemany` of the already converted rows with the same statement into a fresh file.
"""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import Result
from comfytui.cache import Cache
from comfytui.cache import converters as cv
from comfytui.cache.runs import _SELECT_RUNS, _SELECT_SUMMARIES, _UPSERT_RUN
from comfytui.cache.schema import MIGRATIONS
from comfytui.models import OutputFile, Run, RunStatus, RunSummary

SERVER = "http://127.0.0.1:1/api#bench"
_STATUSES = (RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.RUNNING, RunStatus.SUCCESS)


def make_runs(count: int, start: int = 0) -> list[Run]:
    """Realistic runs: inputs, timestamps, one output each for the finished ones."""
    base = datetime(2025, 1, 1, tzinfo=UTC)
    runs = []
    for n in range(start, start + count):
        status = _STATUSES[n % len(_STATUSES)]
        created = base + timedelta(seconds=n * 7)
        outputs = (
            (OutputFile(f"http://127.0.0.1:2/outputs/runs/r{n}/img_{n}.png", f"img_{n}.png"),)
            if status is RunStatus.SUCCESS
            else ()
        )
        runs.append(
            Run(
                id=f"{n:08x}-0000-4000-8000-{n:012x}",
                status=status,
                raw_status=status.value,
                deployment_id=f"dep-{n % 12}",
                workflow_id=f"wf-{n % 12}",
                machine_id="machine-1",
                origin="api",
                gpu="A10G",
                inputs={"input_text": f"a red fox number {n}", "input_seed": n, "steps": 20},
                progress=1.0 if status.is_terminal else 0.5,
                live_status="Executing SaveImage",
                created_at=created,
                updated_at=created + timedelta(seconds=30),
                started_at=created + timedelta(seconds=3),
                ended_at=created + timedelta(seconds=30) if status.is_terminal else None,
                outputs=outputs,
            )
        )
    return runs


async def _fill(path: Path, total: int) -> None:
    cache = await Cache.open(path, SERVER)
    chunk = 20_000
    for start in range(0, total, chunk):
        await cache.upsert_runs(make_runs(min(chunk, total - start), start))
    await cache._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await cache.close()


def _median_spread(samples: list[float]) -> tuple[float, float]:
    median = statistics.median(samples)
    return median, ((max(samples) - min(samples)) / median if median else 0.0)


async def _first_page(folder: Path, total: int, repeats: int) -> list[Result]:
    """Raw and Cache reads of the same page, interleaved, so background load hits all alike."""
    path = folder / "page.db"
    await _fill(path, total)
    page_sql = "WHERE server = ? ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?"
    summary_sql = f"{_SELECT_SUMMARIES} {page_sql}"
    full_sql = f"{_SELECT_RUNS} {page_sql}"
    cache = await Cache.open(path, SERVER)
    raw = sqlite3.connect(path)
    params = (cache._sid, 200, 0)
    page = await cache.list_run_summaries(limit=200)
    assert len(page) == min(200, total) and page[0].created_ts >= page[-1].created_ts
    assert page[0] == RunSummary.from_run((await cache.list_runs(limit=1))[0])
    raw.execute(summary_sql, params).fetchall()
    raw.execute(full_sql, params).fetchall()
    gc.collect()  # the 100,000 runs just written are garbage: collect them before timing
    samples: dict[str, list[float]] = {k: [] for k in ("raw", "page", "raw_full", "cold", "warm")}
    for _ in range(repeats * 3):
        start = time.perf_counter()
        raw.execute(summary_sql, params).fetchall()
        samples["raw"].append(time.perf_counter() - start)
        start = time.perf_counter()
        await cache.list_run_summaries(limit=200)
        samples["page"].append(time.perf_counter() - start)
        start = time.perf_counter()
        raw.execute(full_sql, params).fetchall()
        samples["raw_full"].append(time.perf_counter() - start)
        cache._run_memo.clear()  # every row decoded into a Run
        start = time.perf_counter()
        await cache.list_runs(limit=200)
        samples["cold"].append(time.perf_counter() - start)
        start = time.perf_counter()
        await cache.list_runs(limit=200)
        samples["warm"].append(time.perf_counter() - start)
    raw.close()
    await cache.close()
    baseline, _ = _median_spread(samples["raw"])
    baseline_full, _ = _median_spread(samples["raw_full"])
    value, spread = _median_spread(samples["page"])
    cold, cold_spread = _median_spread(samples["cold"])
    warm, warm_spread = _median_spread(samples["warm"])
    note = f"200 of {total:,} runs, newest first"
    return [
        Result(
            "cache_first_page",
            value,
            baseline,
            "s",
            1.5,
            spread,
            f"{note}; as the Runs view reads it: Cache.list_run_summaries (RunSummary rows, "
            "columns only) vs the same SQL with raw sqlite3 (tuples only)",
        ),
        Result(
            "cache_first_page_full",
            cold,
            baseline_full,
            "s",
            None,
            cold_spread,
            f"{note}; Cache.list_runs, every row decoded into a full Run (memo cleared) vs the "
            "same SQL with raw sqlite3 (tuples only)",
        ),
        Result(
            "cache_first_page_warm",
            warm,
            baseline_full,
            "s",
            1.5,
            warm_spread,
            f"{note}; list_runs re-read (unchanged rows reuse their Run) vs the raw full-row SQL",
        ),
    ]


async def _upsert(folder: Path, count: int, repeats: int) -> Result:
    """Raw executemany and Cache.upsert_runs, interleaved, each into a new file."""
    runs = make_runs(count)
    rows = [(1, *cv.run_row(r)) for r in runs]  # server id 1: the first server of a new file
    raw_times: list[float] = []
    cache_times: list[float] = []
    for n in range(repeats):
        conn = sqlite3.connect(folder / f"raw{n}.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        for script in MIGRATIONS:
            conn.executescript(script)
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_UPSERT_RUN, rows)
        conn.execute("COMMIT")
        raw_times.append(time.perf_counter() - start)
        conn.close()
        cache = await Cache.open(folder / f"cache{n}.db", SERVER)
        start = time.perf_counter()
        await cache.upsert_runs(runs)
        cache_times.append(time.perf_counter() - start)
        await cache.close()
    baseline, _ = _median_spread(raw_times)
    value, spread = _median_spread(cache_times)
    return Result(
        "cache_upsert", value, baseline, "s", 2.0, spread, f"{count:,} runs in one transaction"
    )


async def _bytes(folder: Path, count: int) -> Result:
    path = folder / "size.db"
    await _fill(path, count)
    size = path.stat().st_size * 10_000 / count
    return Result(
        "cache_bytes_per_10k_runs",
        size,
        None,
        "bytes",
        None,
        0.0,
        f"file size after {count:,} runs (WAL checkpointed), scaled to 10,000",
    )


async def _run_all(quick: bool) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        folder = Path(tmp)
        repeats = 3 if quick else 7
        return [
            *await _first_page(folder, 1_000 if quick else 100_000, repeats),
            await _upsert(folder, 500 if quick else 10_000, repeats),
            await _bytes(folder, 1_000 if quick else 10_000),
        ]


def run(quick: bool = False) -> list[Result]:
    return asyncio.run(_run_all(quick))


if __name__ == "__main__":
    import sys

    for result in run(quick="--quick" in sys.argv):
        ratio = f" ratio {result.ratio:.2f}" if result.ratio is not None else ""
        print(
            f"{result.name}: {result.value:.6g} {result.unit}{ratio} "
            f"(target {result.target}, spread {result.spread:.2f}) {result.note}"
        )
