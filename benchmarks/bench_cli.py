"""Scripting start-up: whole commands in fresh interpreters, with bytecode, alternating runs.

- cli_ls_offline: `comfytui ls deployments --offline` (1,000 cached deployments), absolute
  target 0.15 s; `python -c pass` (the interpreter floor) is measured next to it (baseline).
- cli_show_run_vs_sdk: `comfytui show run ID --json` against the emulator (a fresh home each
  time, so the run is fetched, not read from the cache) vs a script doing the same `run.get`
  with the comfydeploy SDK; target 0.5.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_startup import BENCH_KEY, ROOT, UNREACHABLE, _prefill
from benchmarks.common import Result

SDK_SCRIPT = """
import sys
from comfydeploy import ComfyDeploy
sdk = ComfyDeploy(bearer=sys.argv[1], server_url=sys.argv[2])
run = sdk.run.get(run_id=sys.argv[3])
print(run.model_dump_json())
"""


def _env(pycache: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COMFYTUI_DEBUG="", **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode for every side, as installed
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


#: child CPU seconds (user + sys) of each side's runs: less hurt by a busy machine than wall time
CPU: dict[str, list[float]] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(argv: list[str], env: dict[str, str], side: str = "") -> float:
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[1:4]} failed: {proc.stderr.strip()[-300:]}")
    if side:
        CPU.setdefault(side, []).append(_children_cpu() - cpu)
    return elapsed


def _cpu(side: str) -> float:
    return statistics.median(CPU.get(side) or [float("nan")])


def _spread(samples: list[float]) -> float:
    median = statistics.median(samples)
    return (max(samples) - min(samples)) / median if median else 0.0


def _queue_run(api_url: str, api_key: str) -> str:
    from comfytui.api import ComfyDeployClient

    async def go() -> str:
        async with ComfyDeployClient(api_url, api_key, dialect="v2") as client:
            dep = next(d.id for d in await client.list_deployments() if d.name == "txt2img")
            return await client.queue_run(dep, {"prompt": "bench"})

    return asyncio.run(go())


def run(quick: bool = False) -> list[Result]:
    from comfytui.emulator.server import EmulatorServer

    repeats = 1 if quick else 7
    py = sys.executable
    results: list[Result] = []
    CPU.clear()
    with tempfile.TemporaryDirectory() as tmp:
        pyc = Path(tmp) / "pycache"
        home = Path(tmp) / "home"
        asyncio.run(_prefill(home, 50 if quick else 1_000, runs=0))
        env = _env(
            pyc,
            COMFYTUI_HOME=str(home),
            COMFY_DEPLOY_API_KEY=BENCH_KEY,
            COMFY_DEPLOY_API_URL=UNREACHABLE,
        )
        sides = {
            "floor": [py, "-c", "pass"],
            "ls": [py, "-m", "comfytui", "ls", "deployments", "--offline"],
        }
        times: dict[str, list[float]] = {k: [] for k in sides}
        for argv in sides.values() if not quick else ():
            _time(argv, env)  # compile once, warm the file cache
        for _ in range(repeats):
            for name, argv in sides.items():
                times[name].append(_time(argv, env, name))
        floor, ls = statistics.median(times["floor"]), statistics.median(times["ls"])
        results.append(
            Result(
                "cli_ls_offline",
                ls,
                None,
                "s",
                0.15,
                spread=_spread(times["ls"]),
                note=f"1,000 cached deployments; python -c pass {floor:.3f} s "
                f"(ls = {ls / floor:.1f} x the floor); child CPU user+sys: ls "
                f"{_cpu('ls'):.3f} s, floor {_cpu('floor'):.3f} s",
            )
        )

        with EmulatorServer(speed=0.0) as emu:
            run_id = _queue_run(emu.api_url, emu.api_key)
            homes = iter(range(10_000))

            def ours_env() -> dict[str, str]:
                return _env(
                    pyc,
                    COMFYTUI_HOME=str(Path(tmp) / f"show-{next(homes)}"),
                    COMFY_DEPLOY_API_KEY=emu.api_key,
                    COMFY_DEPLOY_API_URL=emu.api_url,
                )

            ours_argv = [py, "-m", "comfytui", "show", "run", run_id, "--json"]
            sdk_argv = [py, "-c", SDK_SCRIPT, emu.api_key, emu.api_url, run_id]
            sdk_env = _env(pyc)
            if not quick:  # compile once, warm the file cache
                _time(ours_argv, ours_env())
                _time(sdk_argv, sdk_env)
            ours_t: list[float] = []
            sdk_t: list[float] = []
            for _ in range(repeats):
                ours_t.append(_time(ours_argv, ours_env(), "show"))
                sdk_t.append(_time(sdk_argv, sdk_env, "sdk"))
        results.append(
            Result(
                "cli_show_run_vs_sdk",
                statistics.median(ours_t),
                statistics.median(sdk_t),
                "s",
                0.5,
                spread=_spread(ours_t),
                note="`show run ID --json` (fresh home: fetched) vs comfydeploy SDK run.get "
                f"script; python -c pass {floor:.3f} s; child CPU user+sys: show "
                f"{_cpu('show'):.3f} s, SDK {_cpu('sdk'):.3f} s "
                f"({_cpu('show') / _cpu('sdk'):.2f})",
            )
        )
    return results
