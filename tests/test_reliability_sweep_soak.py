"""A 200-run sweep through faults and five kill -9s: every planned run ends with exactly one
server run, or explicitly not-sent/unknown (and `sweep retry` then gives it exactly one).

Faults on the queue route: 500/502 answers, answers held past the client's read timeout
(the server made the run: the client must adopt it, not send again) and dropped connections.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "/api/run/deployment/queue"
RUNS = 200
KILLS = 5
FIRST_WIDTH = 64
UNSENT = "SELECT idx FROM planned_runs WHERE state IN ('planned', 'sending')"


def env_for(emu: Any, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMFY_DEPLOY_")}
    env.pop("COMFYTUI_DEBUG", None)
    env.update(
        COMFYTUI_HOME=str(home),
        COMFY_DEPLOY_API_KEY=emu.api_key,
        COMFY_DEPLOY_API_URL=emu.api_url,
        PYTHONPATH=str(ROOT),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def sweep_command() -> list[str]:
    widths = f"width={FIRST_WIDTH}..{FIRST_WIDTH + RUNS - 1}"
    return ["run", "txt2img", "-i", "prompt=soak", "-i", widths, "--yes", "--concurrency", "4"]


def spawn(env: dict[str, str], args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "comfytui", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "comfytui", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def cache_rows(home: Path, sql: str) -> list[tuple[Any, ...]]:
    db = home / "cache" / "cache.db"
    candidates = [db] if db.exists() else list(home.rglob("*.db"))
    if not candidates:
        return []
    conn = sqlite3.connect(candidates[0], timeout=30)
    try:
        return list(conn.execute(sql))
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def server_runs_by_width(emu: Any) -> Counter[int]:
    with emu.state.lock:
        records = list(emu.state.runs.values())
    return Counter(
        r.inputs["width"]
        for r in records
        if r.inputs.get("prompt") == "soak" and isinstance(r.inputs.get("width"), int)
    )


@pytest.mark.soak
def test_sweep_survives_kill_9_and_faults(emulator_factory, tmp_path):
    emu = emulator_factory(speed=0.0)
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("read_timeout = 1.0\n", encoding="utf-8")
    env = env_for(emu, home)
    for spec in (
        {"kind": "500", "probability": 0.04},
        {"kind": "502", "probability": 0.03},
        {"kind": "delay", "delay": 1.6, "probability": 0.04},  # answered after the client gave up
        {"kind": "drop", "probability": 0.03},
        # every send takes a while: 200 runs, 4 at a time, outlast five kills (0.8-3 s apart)
        {"kind": "delay", "delay": 0.25, "probability": 1.0},
    ):
        emu.add_fault(route=QUEUE, method="POST", **spec)
    rng = random.Random(16)
    kills = 0
    sweep_ids: list[str] = []
    started = time.monotonic()
    while kills < KILLS:
        sweep_ids = [r[0] for r in cache_rows(home, "SELECT id FROM sweeps WHERE kind='sweep'")]
        if sweep_ids and not cache_rows(home, UNSENT):
            break  # everything was sent before the fifth kill: a restart would end at once
        proc = spawn(env, sweep_command() if not sweep_ids else ["sweep", "ls"])
        time.sleep(rng.uniform(0.8, 3.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
    # a last, uninterrupted start finishes the sending
    sweep_ids = [r[0] for r in cache_rows(home, "SELECT id FROM sweeps WHERE kind='sweep'")]
    assert len(sweep_ids) == 1, "the sweep was created once"
    [sweep_id] = sweep_ids
    done = cli(env, "sweep", "show", sweep_id, "--json")
    assert done.returncode == 0, done.stderr
    emu.clear_faults()
    time.sleep(2.0)  # held answers are all given by now
    final = cli(env, "sweep", "show", sweep_id, "--json")
    assert final.returncode == 0, final.stderr
    runs = json.loads(final.stdout)["sweep"]["runs"]
    by_width = server_runs_by_width(emu)
    states = Counter(r["state"] for r in runs)
    duplicated = sum(1 for w in range(FIRST_WIDTH, FIRST_WIDTH + RUNS) if by_width[w] > 1)
    lost = 0
    for r in runs:
        width = FIRST_WIDTH + r["index"]
        if r["state"] == "queued":
            lost += by_width[width] != 1 or emu.state.runs[r["run_id"]].inputs["width"] != width
        elif r["state"] in ("unknown", "not-sent"):
            lost += by_width[width] != 0  # a server run nobody tracks
        else:
            lost += 1  # planned/sending after a clean start: left behind
    figures = {
        "planned": len(runs),
        "states": dict(states),
        "server_runs": sum(by_width.values()),
        "queue_requests": sum(
            1 for r in emu.requests() if r["method"] == "POST" and r["path"] == QUEUE
        ),
        "duplicated": duplicated,
        "lost": lost,
        "kills": kills,
        "seconds": round(time.monotonic() - started, 1),
    }
    notes = Counter((r["note"] or "")[:40] for r in runs if r["note"])
    figures["adopted"] = notes["adopted after a lost answer"]
    print("soak figures:", json.dumps(figures))
    print("soak notes:", json.dumps(notes))
    assert len(runs) == RUNS and duplicated == 0 and lost == 0, figures
    assert figures["adopted"] > 0, "no lost answer was exercised"
    assert kills >= 3, f"only {kills} kills landed mid-sweep: {figures}"
    # the user decides: retry sends each not-sent/unknown run once; then every width has one run
    retry = cli(env, "sweep", "retry", sweep_id, "--yes", "--json")
    assert retry.returncode == 0, retry.stderr
    by_width = server_runs_by_width(emu)
    assert all(by_width[w] == 1 for w in range(FIRST_WIDTH, FIRST_WIDTH + RUNS)), by_width
    out = Path(os.environ.get("SOAK_FIGURES", tmp_path / "figures.json"))
    out.write_text(json.dumps({**figures, "after_retry_server_runs": sum(by_width.values())}))
