"""SIGKILL at the worst moments: the CLI during `run --wait`, the TUI during a watched run, a
process in the middle of cache writes. A new Session finds the run, finishes it and saves its
outputs; the database always opens.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from comfytui.emulator.common import now as emu_now
from tests.support_cli import cli_env

SPEED = 1.0  # a run takes ~3.4 s: long enough to kill it mid-way, short enough to finish


def wait_for(predicate, timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def new_run_polled(emu: Any, before: set[str]) -> str | None:
    """The id of a run created since `before`, once a GET of it shows the watch has begun."""
    created = set(emu.state.runs) - before
    if not created:
        return None
    run_id = next(iter(created))
    polled = any(r["method"] == "GET" and r["path"] == f"/api/run/{run_id}" for r in emu.requests())
    return run_id if polled else None


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL


async def recover(emu: Any, home: Path, run_id: str) -> tuple[bool, str]:
    """A fresh Session: the run is in the cache, resume() finishes it and saves its outputs."""
    from comfytui.services import Session
    from comfytui.settings import Secret, load_settings

    os.environ["COMFYTUI_HOME"] = str(home)
    settings = replace(
        load_settings(keyring_lookup=False),
        api_url=emu.api_url,
        api_key=Secret(emu.api_key),
        dialect="v2",
    )
    async with Session.open(settings) as session:  # the same server key as the killed process
        assert session.notice is None, session.notice  # the cache was not thrown away
        cached = await session.cache.get_run(run_id)
        assert cached is not None, "the killed process never cached the run"
        unfinished = {r.id for r in await session.runs.unfinished()}
        assert run_id in unfinished, f"cached as {cached.status}, not unfinished"
        # (not runs.resume(): that also follows the seed's runs frozen in non-terminal states)
        final = cached
        async for snapshot in session.runs.watch(run_id):
            final = snapshot
        await session.runs.save_outputs(final)
        outputs = await session.cache.outputs_for_run(run_id)
        again = await session.cache.get_run(run_id)
    assert final.is_terminal and again is not None and again.is_terminal
    assert final.status.value == "success", final
    assert outputs and all(Path(o.path).is_file() for o in outputs)
    root = settings.locations.outputs_dir.resolve()
    assert all(Path(o.path).resolve().is_relative_to(root) for o in outputs)
    return True, final.status.value


def kill_while_watching(emu, home, cwd, command: list[str], what: str, extra_wait: float) -> str:
    """Start `command` (a CLI or TUI child), wait until it polls the run it started, let
    `extra_wait` s pass (mid-run), SIGKILL it; the run's id."""
    before = set(emu.state.runs)
    proc = subprocess.Popen(
        command, env=cli_env(emu, home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
    )
    try:
        run_id = wait_for(lambda: new_run_polled(emu, before), what=what)
        time.sleep(extra_wait)  # the moment of the crash: on purpose, not a wait for a state
        assert proc.poll() is None, proc.communicate()
        kill(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return run_id


@pytest.mark.parametrize("extra_wait", [0.0, 1.2], ids=["at-first-poll", "mid-run"])
async def test_sigkill_cli_run_wait_then_recover(emulator_factory, tmp_path, extra_wait):
    emu = emulator_factory(speed=SPEED)
    home = tmp_path / "home"
    command = [sys.executable, "-m", "comfytui", "run", "txt2img", "-i", "prompt=crash", "--wait"]
    run_id = kill_while_watching(emu, home, tmp_path, command, "the CLI's watch", extra_wait)
    assert not emu.state.runs[run_id].view(emu_now()).terminal  # killed before it ended
    ok, _ = await recover(emu, home, run_id)
    assert ok


TUI_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from comfytui.settings import load_settings
    from comfytui.services import Session
    from comfytui.ui.app import ComfyTUI

    async def main():
        settings = load_settings(keyring_lookup=False)
        session = await Session.open(settings)
        app = ComfyTUI(settings, session=session)
        async with app.run_test(headless=True, size=(120, 40)) as pilot:
            await pilot.pause()
            run = await session.runs.start("txt2img", {"prompt": "tui crash"})
            app.run_watcher.watch(run.id)
            print("RUN", run.id, flush=True)
            await asyncio.sleep(120)

    asyncio.run(main())
    """
)


async def test_sigkill_tui_watching_a_run_then_recover(emulator_factory, tmp_path):
    emu = emulator_factory(speed=SPEED)
    home = tmp_path / "home"
    script = tmp_path / "tui_child.py"
    script.write_text(TUI_CHILD)
    run_id = kill_while_watching(
        emu, home, tmp_path, [sys.executable, str(script)], "the TUI's watch", 0.5
    )
    ok, _ = await recover(emu, home, run_id)
    assert ok


CACHE_WRITER = textwrap.dedent(
    """
    import asyncio, sys, uuid
    from datetime import UTC, datetime
    from pathlib import Path
    from comfytui.cache import Cache
    from comfytui.models import Run, RunStatus, Workflow

    async def main(path):
        cache = await Cache.open(Path(path), "http://srv#acct")
        n = 0
        while True:
            now = datetime.now(UTC)
            runs = [
                Run(id=str(uuid.uuid4()), status=RunStatus.RUNNING, deployment_id="d",
                    inputs={"prompt": "x" * 2000, "n": n}, created_at=now, updated_at=now)
                for _ in range(200)
            ]
            await cache.upsert_runs(runs)
            await cache.upsert_workflows([Workflow(id=f"w{n % 50}", name=f"wf {n}")])
            n += 1
            if n == 1:
                print("WRITING", flush=True)

    asyncio.run(main(sys.argv[1]))
    """
)

CACHE_KILLS = 6


async def test_sigkill_during_cache_writes_leaves_a_database_that_opens(tmp_path):
    from comfytui.cache import Cache

    db = tmp_path / "cache.db"
    script = tmp_path / "writer.py"
    script.write_text(CACHE_WRITER)
    opened, rebuilt = 0, 0
    for attempt in range(CACHE_KILLS):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(db)],
            env=cli_env(home=tmp_path / "home"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith(b"WRITING"), proc.stderr.read() if proc.stderr else line
            time.sleep(0.05 + 0.07 * attempt)  # kill at different points of the write loop
            kill(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        with sqlite3.connect(db) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        cache = await Cache.open(db, "http://srv#acct")
        try:
            rebuilt += cache.notice is not None
            await cache.count_runs()
            await cache.list_workflows()
            opened += 1
        finally:
            await cache.close()
    assert opened == CACHE_KILLS
    assert rebuilt == 0  # every kill left a cache that opens as it is, rows kept
    print(f"\nCACHE KILLS {CACHE_KILLS} opened {opened} rebuilt {rebuilt}")


async def _mid_checkpoint_state(db: Path) -> int:
    """The files a SIGKILL in the middle of a WAL checkpoint leaves: the WAL holds every page,
    the main file's page 1 already says how many pages there will be, the file is shorter.
    Returns the number of committed runs."""
    import uuid

    from comfytui.cache import Cache
    from comfytui.models import Run, RunStatus

    async def fill() -> None:
        cache = await Cache.open(db, "http://srv#acct")
        await cache.upsert_runs(
            [
                Run(id=str(uuid.uuid4()), status=RunStatus.RUNNING, deployment_id="d")
                for _ in range(50)
            ]
        )
        await cache.close()

    await fill()  # the cache as a normal session leaves it (checkpointed at close)
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    for n in range(40):  # more pages, only in the WAL
        writer.execute(
            "INSERT INTO runs (server, id, status, data) SELECT server, id || ?, status, data "
            "FROM runs WHERE rowid <= 50",
            (f"-{n}",),
        )
    wal = db.with_name(db.name + "-wal")
    assert wal.stat().st_size > 0
    pages = writer.execute("PRAGMA page_count").fetchone()[0]
    count = writer.execute("SELECT count(*) FROM runs").fetchone()[0]
    # what a killed process leaves: the main file before the checkpoint, and the WAL
    main_before, saved_wal = db.read_bytes(), wal.read_bytes()
    writer.close()  # (this checkpoints and removes the WAL: put the old state back)
    header = bytearray(main_before)
    header[28:32] = pages.to_bytes(4, "big")  # page 1 is written first by the checkpoint
    db.write_bytes(bytes(header))
    wal.write_bytes(saved_wal)
    db.with_name(db.name + "-shm").unlink(missing_ok=True)
    assert pages * 4096 > db.stat().st_size
    return count


# services-bugs.md 21:50 (fixed): check_header once called this state 'truncated' and rebuilt.
async def test_cache_killed_mid_checkpoint_is_kept(tmp_path):
    from comfytui.cache import Cache

    db = tmp_path / "cache.db"
    count = await _mid_checkpoint_state(db)
    with sqlite3.connect(db) as raw:  # SQLite itself: fine, every committed row is there
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert raw.execute("SELECT count(*) FROM runs").fetchone()[0] == count
    cache = await Cache.open(db, "http://srv#acct")
    try:
        assert cache.notice is None, cache.notice
        assert await cache.count_runs() == count
    finally:
        await cache.close()
