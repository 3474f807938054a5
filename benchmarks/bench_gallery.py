"""Gallery benchmarks (issue 17), 10,000 saved outputs in the cache, API unreachable.

- gallery_first_paint_cold: launch, open the gallery (key 5), until every visible card shows its
  thumbnail, with an empty thumbnail folder (each visible thumbnail is made), against the Runs
  pane's first paint (launch until its rows show) on the same cache. Ratio target 2.0.
- gallery_first_paint_warm: the same with the thumbnails already in the folder. Target 1.5.
- rss_10k_outputs_gallery: VmRSS (MB) after opening the gallery and paging through it (end,
  home, 10 pages down). Absolute target 250 MB.

Launch-to-paint wall times are measured by the parent (interpreter start included on both sides;
both load bytecode from a shared prefix). Children: `python -m benchmarks.bench_gallery KIND HOME`.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import shutil
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from benchmarks.bench_startup import SIZE, _rss_mb, _settings, _spawn
from benchmarks.common import Result

OUTPUTS = 10_000
MODULE = "benchmarks.bench_gallery"


async def _prefill(home: Path, count: int) -> None:
    from PIL import Image

    from comfytui.emulator.seed import BASE_TIME
    from comfytui.models import Run, RunStatus, SavedOutput
    from comfytui.services import Session

    async with Session.open(_settings(home)) as session:
        folder = session.outputs.root / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        runs, saved = [], []
        for i in range(count):
            buffer = io.BytesIO()
            Image.new("RGB", (96, 64), (i % 256, (i // 256) % 256, 120)).save(buffer, "PNG")
            content = buffer.getvalue()
            path = folder / f"out-{i:05d}.png"
            path.write_bytes(content)
            run = Run(
                id=f"run-{i:05d}",
                status=RunStatus.SUCCESS,
                inputs={"prompt": f"picture {i}"},
                created_at=BASE_TIME - timedelta(minutes=i),
            )
            runs.append(run)
            digest = hashlib.sha256(content).hexdigest()
            saved.append(
                SavedOutput(
                    run.id,
                    f"http://x.invalid/{i}.png",
                    str(path),
                    digest,
                    len(content),
                    "image/png",
                )
            )
        await session.cache.upsert_runs(runs)
        for output in saved:
            await session.cache.record_output(output)


async def _wait(pilot, condition) -> None:
    while not condition():
        await pilot.pause(0.002)


async def _child_gallery(home: str) -> None:
    from comfytui.ui.app import ComfyTUI

    app = ComfyTUI(_settings(Path(home)))
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: app.session is not None)
        await pilot.press("5")
        await _wait(pilot, lambda: getattr(app.screen, "painted", False))
        await pilot.pause()
        print("PAINTED", app.screen.total, flush=True)


async def _child_runs(home: str) -> None:
    from comfytui.ui.app import ComfyTUI

    app = ComfyTUI(_settings(Path(home)))
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: app.session is not None and app.main.runs.table.row_count > 0)
        await pilot.pause()
        print("ROWS", app.main.runs.total, flush=True)


async def _child_rss(home: str) -> None:
    from comfytui.ui.app import ComfyTUI

    app = ComfyTUI(_settings(Path(home)))
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: app.session is not None)
        await pilot.press("5")
        await _wait(pilot, lambda: getattr(app.screen, "painted", False))
        screen = app.screen
        for keys in (("end",), ("home",), *[("pagedown",)] * 10):
            await pilot.press(*keys)
            await _wait(pilot, lambda: screen.painted)
        print("RSS", _rss_mb(), screen.total, flush=True)


def _thumbs(home: Path) -> Path:
    return home / "cache" / "thumbnails"


def run(quick: bool = False) -> list[Result]:
    count = 500 if quick else OUTPUTS
    repeats = 1 if quick else 9  # launch-to-paint spreads 40 % on a shared VM: 9, not 5
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        pyc = Path(tmp) / "pycache"
        asyncio.run(_prefill(home, count))
        _time("runs", home, pyc)  # warm the file cache and the bytecode
        _time("gallery", home, pyc)
        cold, warm, runs = [], [], []
        for _ in range(repeats):
            runs.append(_time("runs", home, pyc))
            shutil.rmtree(_thumbs(home), ignore_errors=True)
            cold.append(_time("gallery", home, pyc))
            warm.append(_time("gallery", home, pyc))
        base = statistics.median(runs)
        for name, samples, target in (("cold", cold, 2.0), ("warm", warm, 1.5)):
            value = statistics.median(samples)
            results.append(
                Result(
                    f"gallery_first_paint_{name}",
                    value,
                    base,
                    "s",
                    target,
                    spread=(max(samples) - min(samples)) / value,
                    note=f"{count:,} saved outputs, thumbnail cache {name}, vs Runs pane "
                    f"first paint, headless {SIZE}",
                )
            )
        rss = [float(_fields("rss", home, pyc)[1]) for _ in range(1 if quick else 3)]
        value = statistics.median(rss)
        results.append(
            Result(
                "rss_10k_outputs_gallery",
                value,
                None,
                "MB",
                250.0,
                spread=(max(rss) - min(rss)) / value,
                note=f"VmRSS after opening the gallery of {count:,} outputs and paging "
                "(end, home, 10 pages)",
            )
        )
    return results


def _time(kind: str, home: Path, pyc: Path) -> float:
    return _spawn(kind, str(home), timeout=300, pycache=pyc, module=MODULE)[0]


def _fields(kind: str, home: Path, pyc: Path) -> list[str]:
    return _spawn(kind, str(home), timeout=300, pycache=pyc, module=MODULE)[1]


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    child = {"gallery": _child_gallery, "runs": _child_runs, "rss": _child_rss}[kind]
    asyncio.run(child(*args))
