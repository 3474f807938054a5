"""Where a run's time went (issue 18): emulator fields, parsing, the split, the run screen's
bar, the Runs pane's optional cold-start column and `show run`."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from textual.widgets import Static

from comfytui.api.parse_v2 import parse_run
from comfytui.models import Run, RunStatus, RunSummary
from comfytui.services.timeline import split
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs.split_bar import bar_widths, render
from comfytui.ui.screens.help import HelpScreen
from tests.support_cli import run_cli
from tests.support_ui import FIXED_NOW, cell_texts, panes_filled, settings_for
from tests.test_ui_runs_view import _start, wait_until

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _headers(emu) -> dict[str, str]:
    return {"Authorization": f"Bearer {emu.api_key}"}


def _queue(emu, name: str = "txt2img") -> str:
    deps = httpx.get(emu.api_url + "/deployments", headers=_headers(emu)).json()
    dep = next(d["id"] for d in deps if d["workflow"]["name"] == name)
    body = {"deployment_id": dep, "inputs": {}}
    reply = httpx.post(emu.api_url + "/run/deployment/queue", json=body, headers=_headers(emu))
    return reply.json()["run_id"]


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_emulator_sends_cold_start_once_started_and_run_duration_once_ended(emulator_factory):
    slow = emulator_factory(speed=0.01)  # starts 60 s after it was queued
    waiting = _queue(slow)
    first = httpx.get(f"{slow.api_url}/run/{waiting}", headers=_headers(slow)).json()
    assert first["started_at"] is None and first["cold_start_duration"] is None
    assert first["cold_start_duration_total"] is None and first["run_duration"] is None
    emu = emulator_factory(speed=2.0)  # a run takes 1.7 s
    run_id = _queue(emu)
    body = httpx.get(f"{emu.api_url}/run/{run_id}", headers=_headers(emu)).json()
    deadline = time.monotonic() + 30
    while body["status"] not in ("success", "failed") and time.monotonic() < deadline:
        time.sleep(0.1)
        body = httpx.get(f"{emu.api_url}/run/{run_id}", headers=_headers(emu)).json()
    assert body["status"] == "success"
    created, queued = _iso(body["created_at"]), _iso(body["queued_at"])
    started, ended = _iso(body["started_at"]), _iso(body["ended_at"])
    assert created < queued < started < ended
    assert body["cold_start_duration"] == pytest.approx((started - queued).total_seconds(), 1e-3)
    assert body["cold_start_duration_total"] == pytest.approx(
        (started - created).total_seconds(), 1e-3
    )
    assert body["run_duration"] == pytest.approx((ended - started).total_seconds(), 1e-3)


def test_demo_world_has_warm_and_cold_starts():
    from comfytui.emulator.seed_demo import build_demo

    colds = [
        (r.frozen.started_at - r.frozen.queued_at).total_seconds()
        for r in build_demo(3).runs.values()
        if r.frozen is not None and r.frozen.started_at is not None
    ]
    assert any(c < 3 for c in colds) and any(c > 10 for c in colds)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [(12.5, 12.5), (0, 0.0), (-1, None), ("soon", None), (None, None), (1e30, None)],
)
def test_client_parses_durations_and_drops_nonsense(sent, kept):
    run = parse_run(
        {"id": "r1", "status": "success", "cold_start_duration": sent, "run_duration": sent}
    )
    assert run.cold_start_duration == kept and run.run_duration == kept


async def test_client_and_cache_keep_the_servers_durations(emulator, tmp_path):
    from comfytui.api import ComfyDeployClient
    from comfytui.cache import Cache

    async with ComfyDeployClient(emulator.api_url, emulator.api_key) as client:
        run_id = _queue(emulator)
        run = await client.get_run(run_id)  # speed 0: already finished
    assert run.cold_start_duration is not None and run.run_duration is not None
    cache = await Cache.open(tmp_path / "c.sqlite", "srv")
    try:
        await cache.upsert_run(run)
        again = await cache.get_run(run_id)
        summary = (await cache.list_run_summaries())[0]
    finally:
        await cache.close()
    assert again.cold_start_duration == run.cold_start_duration
    assert again.run_duration == run.run_duration
    assert summary.cold_start_duration == run.cold_start_duration


def _run(**kw) -> Run:
    return Run(id="r", **{"status": RunStatus.SUCCESS, "created_at": T0, **kw})


def test_split_of_finished_running_and_waiting_runs():
    s = timedelta(seconds=1)
    done = _run(queued_at=T0 + 2 * s, started_at=T0 + 30 * s, ended_at=T0 + 90 * s)
    parts = split(done, T0 + 1000 * s)
    assert [p.seconds for p in parts.phases] == [2.0, 28.0, 60.0]
    assert not any(p.current for p in parts.phases)
    server = _run(
        queued_at=T0 + 2 * s,
        started_at=T0 + 30 * s,
        ended_at=T0 + 90 * s,
        cold_start_duration=25.0,
        run_duration=59.5,
    )
    assert [p.seconds for p in split(server).phases] == [2.0, 25.0, 59.5]  # the server wins
    running = _run(status=RunStatus.RUNNING, queued_at=T0 + s, started_at=T0 + 3 * s)
    parts = split(running, T0 + 10 * s)
    assert parts.execution.current and parts.execution.seconds == 7.0
    waiting = _run(status=RunStatus.NOT_STARTED)
    parts = split(waiting, T0 + 4 * s)
    assert parts.queue.current and parts.queue.seconds == 4.0 and parts.cold_start.seconds is None
    failed = _run(status=RunStatus.FAILED, queued_at=T0 + s, ended_at=T0 + 5 * s)
    assert [p.seconds for p in split(failed).phases] == [1.0, 4.0, None]
    assert split(_run(created_at=None)).known is False
    assert split(done).as_json() == {
        "queue": 2.0, "cold_start": 28.0, "execution": 60.0, "current": None,
    }  # fmt: skip


def test_bar_widths_and_text():
    assert bar_widths([2, 28, 60], 36) == [1, 11, 24]
    assert bar_widths([2, 28, 60], 32) == [1, 10, 21]
    assert sum(bar_widths([0.01, 0.01, 500], 36)) == 36
    assert bar_widths([0, 0, 0], 36) == [0, 0, 0]
    s = timedelta(seconds=1)
    text = render(split(_run(queued_at=T0 + 2 * s, started_at=T0 + 30 * s, ended_at=T0 + 99 * s)))
    assert text.plain.splitlines()[1:] == [
        "━━ queue      2s", "━━ cold start 28s", "━━ execution  1m09s",
    ]  # fmt: skip
    assert text.plain.splitlines()[0] == "━" * 32


async def test_run_screen_shows_the_time_bar(emulator_factory):
    emu = emulator_factory(speed=2.0)
    app = ComfyTUI(settings_for(emu))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(pilot, app, "txt2img")

        def shown() -> str:
            return str(view.query_one("#run-split", Static).render())

        await wait_until(pilot, lambda: view.run is not None and view.run.is_terminal, 30)
        await wait_until(pilot, lambda: "execution" in shown() and "(now)" not in shown(), 15)
        assert "queue" in shown() and "cold start" in shown() and "━" in shown()
        assert view.run.cold_start_duration is not None


async def test_runs_pane_cold_start_column_toggles(emulator):
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: panes_filled(app), timeout=30)
        pane = app.main.runs
        assert "Cold start" not in [str(c.label) for c in pane.table.columns.values()]
        await pilot.press("4", "C")
        await wait_until(
            pilot, lambda: "Cold start" in [str(c.label) for c in pane.table.columns.values()]
        )
        await wait_until(pilot, lambda: pane.table.row_count > 0)
        labels = [str(c.label) for c in pane.table.columns.values()]
        assert labels[labels.index("Took") + 1] == "Cold start"
        cells = [row[labels.index("Cold start")] for row in cell_texts(pane.table)]
        assert "6s" in cells  # the test seed: 0.3 scaled s at speed 0.05
        await pilot.press("s")  # sort by the next column; the toggle keeps it
        sorted_by = pane.COLUMNS[pane.sort_index]
        await pilot.press("C")
        await wait_until(
            pilot, lambda: "Cold start" not in [str(c.label) for c in pane.table.columns.values()]
        )
        assert len(cell_texts(pane.table)[0]) == len(pane.COLUMNS)
        if sorted_by is not pane.COLD_START:
            assert pane.COLUMNS[pane.sort_index] == sorted_by
        await pilot.press("question_mark")  # help lists the key
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "runs.cold_start" in {ident for _, _, ident in app.screen.rows}


async def test_setting_shows_the_column_from_the_start(emulator):
    app = ComfyTUI(settings_for(emulator, cold_start_column=True), clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: panes_filled(app), timeout=30)
        pane = app.main.runs
        assert "Cold start" in [str(c.label) for c in pane.table.columns.values()]
        assert RunSummary("x", "success").cold_start_duration is None


def test_show_run_prints_the_split_and_json_has_it(emulator):
    run_id = _queue(emulator)
    human = run_cli(emulator, "show", "run", run_id)
    assert human.returncode == 0, human.stderr
    lines = {line.split(":")[0]: line for line in human.stdout.splitlines()}
    assert {"queue", "cold start", "execution"} <= set(lines)
    data = run_cli(emulator, "show", "run", run_id, "--json")
    assert data.returncode == 0, data.stderr
    body = json.loads(data.stdout)
    assert set(body["timeline"]) == {"queue", "cold_start", "execution", "current"}
    assert body["cold_start_duration"] is not None and "run_duration" in body
