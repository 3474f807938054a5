"""TUI start-up and memory benchmarks.

- startup_first_rows: launch (a fresh interpreter) to the first painted Deployments rows with
  1,000 deployments in the cache and the API unreachable, against a bare Textual app showing the
  same 1,000 rows in one DataTable. Both run headless at 120x35; the figure is the ratio of the
  wall times measured by the parent process (interpreter start included for both).
- startup_demo_first_rows: the same launch in demo mode (no API key) to the first painted
  Deployments rows of the persisted demo world (a second launch: an earlier demo session saved
  the world and cached its rows; the emulator starts in the background), against the cached
  start above, measured alternately in the same run. Target 1.1.
- rss_100k_runs: resident memory (VmRSS, MB) of the TUI after browsing 100,000 cached runs
  (open the Runs pane, jump to the end, walk back, jump to the start). Absolute target: 200 MB.

Each measurement runs in its own subprocess (`python -m benchmarks.bench_startup CHILD ...`).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import Result

UNREACHABLE = "http://127.0.0.1:9/api"  # discard port: connection refused at once
BENCH_KEY = "bench-key-0123456789"
SIZE = (120, 35)
ROOT = Path(__file__).resolve().parents[1]


# --- fixtures ------------------------------------------------------------------------------------


def _deployments(count: int) -> list:
    from comfytui.models import Deployment, InputKind, InputSpec

    base = datetime(2025, 1, 1, tzinfo=UTC)
    spec = (InputSpec("prompt", "ComfyUIDeployExternalText", InputKind.TEXT, default="a fox"),)
    return [
        Deployment(
            id=f"dep-{n:06d}",
            name=f"deployment-{n:05d}",
            environment=("production", "staging", "preview")[n % 3],
            workflow_id=f"wf-{n % 50}",
            machine_id=f"m-{n % 7}",
            machine_name=f"machine-{n % 7}",
            version=n % 9 + 1,
            gpu=("A10G", "L4", "H100")[n % 3],
            inputs=spec,
            created_at=base + timedelta(minutes=n),
            updated_at=base + timedelta(minutes=n),
        )
        for n in range(count)
    ]


def _settings(home: Path):
    from comfytui.settings import Secret, load_settings

    env = {"COMFYTUI_HOME": str(home)}
    settings = load_settings(environ=env, keyring_lookup=False)
    return replace(settings, api_url=UNREACHABLE, api_key=Secret(BENCH_KEY), key_source="flag")


async def _prefill(home: Path, deployments: int, runs: int) -> None:
    """Fill the cache the TUI will open (through the services' own cache handle)."""
    from benchmarks.bench_cache import make_runs
    from comfytui.models import RunStatus
    from comfytui.services import Session

    async with Session.open(_settings(home)) as session:
        cache = session.cache
        await cache.upsert_deployments(_deployments(deployments))
        for start in range(0, runs, 20_000):
            batch = make_runs(min(20_000, runs - start), start)
            # Finished runs only: browsing is measured, not thousands of resumed watchers.
            finished = [
                r if r.is_terminal else replace(r, status=RunStatus.SUCCESS, progress=1.0)
                for r in batch
            ]
            await cache.upsert_runs(finished)


# --- children (run in a fresh interpreter) -------------------------------------------------------


async def _child_app(home: str) -> None:
    from comfytui.ui.app import ComfyTUI

    app = ComfyTUI(_settings(Path(home)))
    async with app.run_test(size=SIZE) as pilot:
        while not (app.session is not None and app.main.deployments.table.row_count):
            await pilot.pause(0.002)
        await pilot.pause()  # one more refresh: the rows are on screen
        print("ROWS", app.main.deployments.total, flush=True)


async def _child_demo(home: str) -> None:
    from comfytui.settings import load_settings
    from comfytui.ui.app import ComfyTUI

    settings = load_settings(environ={"COMFYTUI_HOME": home}, keyring_lookup=False)
    app = ComfyTUI(settings)
    async with app.run_test(size=SIZE) as pilot:
        while not (app.session is not None and app.main.deployments.table.row_count):
            await pilot.pause(0.002)
        await pilot.pause()
        print("ROWS", app.main.deployments.total, flush=True)


def seed_demo_home(home: Path) -> None:
    """One ordinary demo session: the demo world is saved and every pane's rows cached."""
    from comfytui.services import Session
    from comfytui.settings import load_settings

    settings = load_settings(environ={"COMFYTUI_HOME": str(home)}, keyring_lookup=False)

    async def seed() -> None:
        async with Session.open(settings) as session:
            catalog = session.catalog
            for refresh in (
                catalog.refresh_workflows,
                catalog.refresh_deployments,
                catalog.refresh_machines,
                catalog.refresh_runs,
            ):
                await refresh()

    asyncio.run(seed())


async def _child_bare(count: str) -> None:
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    rows = [
        (Text(d.name), Text(d.environment), Text(d.machine_name or ""), Text(d.gpu or ""))
        for d in _deployments(int(count))
    ]

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Name", "Env", "Machine", "GPU")
            table.add_rows(rows)

    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        while not table.row_count:
            await pilot.pause(0.002)
        await pilot.pause()
        print("ROWS", table.row_count, flush=True)


async def _child_rss(home: str, presses: str = "30") -> None:
    from comfytui.ui.app import ComfyTUI

    app = ComfyTUI(_settings(Path(home)))
    async with app.run_test(size=SIZE) as pilot:
        runs = None
        while runs is None or not runs.table.row_count:
            await pilot.pause(0.01)
            runs = app.main.runs if app.session is not None else None
        await pilot.press("4", "G")
        await _settle(app, pilot)
        steps = int(presses)
        await pilot.press(*["k"] * steps, "g", *["j"] * steps, "G", "g")
        await _settle(app, pilot)
        print("RSS", _rss_mb(), runs.total, flush=True)


async def _settle(app, pilot) -> None:
    """Wait for the Runs pane's page reads (not the refresh retrying the unreachable API)."""
    busy = [w for w in app.workers if w.group == "runs-page" and not w.is_finished]
    if busy:
        await app.workers.wait_for_complete(busy)
    await pilot.pause()


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- parent --------------------------------------------------------------------------------------


def _spawn(
    *args: str,
    timeout: float = 120.0,
    pycache: Path | None = None,
    module: str = "benchmarks.bench_startup",
) -> tuple[float, list[str]]:
    """Wall seconds until the child printed its answer line, and that line's fields.

    `pycache`: keep the children's bytecode there (`PYTHONPYCACHEPREFIX`), even when the
    environment says PYTHONDONTWRITEBYTECODE, so the warm-up run compiles every module once and
    the timed runs (app and bare alike) load bytecode, as an installed app does.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT), COMFYTUI_DEBUG="")
    env.pop("COMFY_DEPLOY_API_KEY", None)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", module, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - started
    finally:
        watchdog.cancel()
        proc.kill()  # answered (or died): no need to wait for its shutdown
        proc.wait()
    if not line:
        raise RuntimeError(f"child {args[0]} failed: {proc.stderr.read()[-500:]}")  # type: ignore[union-attr]
    return elapsed, line.split()


def run(quick: bool = False) -> list[Result]:
    deployments = 50 if quick else 1_000
    runs = 2_000 if quick else 100_000
    repeats = 1 if quick else 9  # the start-up rows spread 25-30 % on a shared VM: 9, not 5
    rss_repeats = 1 if quick else 3
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        pyc = Path(tmp) / "pycache"
        demo_home = Path(tmp) / "demo"
        asyncio.run(_prefill(home, deployments, runs=0))
        seed_demo_home(demo_home)
        _spawn("app", str(home), pycache=pyc)  # warm the OS file cache and the bytecode
        _spawn("bare", str(deployments), pycache=pyc)
        _spawn("demo", str(demo_home), pycache=pyc)
        app_times, bare_times, demo_times = [], [], []
        for _ in range(repeats):
            app_times.append(_spawn("app", str(home), pycache=pyc)[0])
            bare_times.append(_spawn("bare", str(deployments), pycache=pyc)[0])
            demo_times.append(_spawn("demo", str(demo_home), pycache=pyc)[0])
        app_t, bare_t = statistics.median(app_times), statistics.median(bare_times)
        demo_t = statistics.median(demo_times)
        results.append(
            Result(
                "startup_first_rows",
                app_t,
                bare_t,
                "s",
                1.3,
                spread=(max(app_times) - min(app_times)) / app_t,
                note=(
                    f"{deployments} cached deployments, API unreachable, headless {SIZE}; "
                    f"bare spread {(max(bare_times) - min(bare_times)) / bare_t:.0%}, "
                    f"median of {repeats} alternating"
                ),
            )
        )
        results.append(
            Result(
                "startup_demo_first_rows",
                demo_t,
                app_t,
                "s",
                1.1,
                spread=(max(demo_times) - min(demo_times)) / demo_t,
                note="demo mode, persisted demo world (second launch) vs the cached start",
            )
        )

        big = Path(tmp) / "big"
        asyncio.run(_prefill(big, deployments=20, runs=runs))
        rss: list[float] = []
        for _ in range(rss_repeats):
            _, fields = _spawn("rss", str(big), "3" if quick else "30", timeout=300, pycache=pyc)
            rss.append(float(fields[1]))
        rss_mb = statistics.median(rss)
        results.append(
            Result(
                "rss_100k_runs",
                rss_mb,
                None,
                "MB",
                200.0,
                spread=(max(rss) - min(rss)) / rss_mb,
                note=f"VmRSS after browsing {int(fields[2]):,} cached runs (G, k, g, j), "
                f"median of {rss_repeats}",
            )
        )
    return results


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    if kind in ("app", "demo"):  # as `run_tui` does before it imports the app (not the peer)
        from comfytui.ui import startup_gc

        startup_gc.hold()
    child = {"app": _child_app, "bare": _child_bare, "demo": _child_demo, "rss": _child_rss}[kind]
    asyncio.run(child(*args))
