"""Logs of runs started here kept in the cache (issue 18): replay after the server forgets or
when offline; the run stream's `log_update` lines feed the Logs view; legacy servers say once
that they have no log route."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
from textual.widgets import Static

from comfytui.cache import Cache
from comfytui.cache.schema import SCHEMA_VERSION
from comfytui.errors import NetworkError
from comfytui.models import LogLine
from comfytui.services import Session
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs.logs import RunLogsScreen
from tests.support_ui import settings_for
from tests.test_ui_runs_view import wait_until

FAST = {"retry_attempts": 1, "connect_timeout": 1.0, "read_timeout": 5.0}
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _lines(n: int, prefix: str = "line") -> list[LogLine]:
    return [LogLine(f"{prefix} {i}", "info", NOW) for i in range(n)]


async def test_cache_keeps_appends_restarts_and_completes(tmp_path):
    cache = await Cache.open(tmp_path / "c.sqlite", "srv")
    try:
        rows = await cache._rows("PRAGMA user_version")
        assert rows[0][0] == SCHEMA_VERSION
        assert await cache.log_state("r1") == (False, False, 0)
        await cache.track_logs("r1")
        await cache.append_logs("r1", _lines(3))
        await cache.append_logs("r1", _lines(2, "more"))
        assert [x.text for x in await cache.cached_logs("r1")] == [
            "line 0", "line 1", "line 2", "more 0", "more 1",
        ]  # fmt: skip
        assert await cache.log_state("r1") == (True, False, 5)
        await cache.append_logs("r1", _lines(1, "again"), restart=True, complete=True)
        assert [x.text for x in await cache.cached_logs("r1")] == ["again 0"]
        assert await cache.log_state("r1") == (True, True, 1)
        assert (await cache.cached_logs("r1"))[0].timestamp == NOW
    finally:
        await cache.close()


async def _run_started_here(session) -> str:
    listing = await session.catalog.refresh_deployments()
    deployment = next(d for d in listing.items if d.name == "broken")
    run = await session.runs.start(deployment, {})
    async for _ in session.runs.watch(run.id):
        pass
    return run.id


async def test_a_finished_run_replays_from_the_cache_after_the_server_forgets(emulator):
    async with Session.open(settings_for(emulator), client_options=FAST) as session:
        run_id = await _run_started_here(session)
        live = [line.text async for line in session.logs.lines(run_id)]
        assert any("MachineError" in text for text in live)
        assert (await session.cache.log_state(run_id))[:2] == (True, True)
        httpx.post(f"{emulator.base_url}/_emulator/reset").raise_for_status()
        notes: list[str] = []
        again = [line.text async for line in session.logs.lines(run_id, on_note=notes.append)]
        assert again == live and notes == ["replayed from the cache"]


async def test_kept_lines_replay_when_the_server_has_none_or_is_offline(emulator_factory):
    emu = emulator_factory()
    async with Session.open(settings_for(emu), client_options=FAST) as session:
        run_id = str(uuid.uuid4())  # the server never heard of it: 404
        await session.cache.track_logs(run_id)
        await session.cache.append_logs(run_id, _lines(4))  # not complete: the server is asked
        notes: list[str] = []
        got = [line.text async for line in session.logs.lines(run_id, on_note=notes.append)]
        assert got == [f"line {i}" for i in range(4)]
        assert notes and notes[0].endswith("replayed from the cache")
        emu.stop()
        notes.clear()
        got = [line.text async for line in session.logs.lines(run_id, on_note=notes.append)]
        assert len(got) == 4 and "replayed from the cache" in notes[0]
        other = str(uuid.uuid4())  # nothing kept: the error stays
        try:
            [line async for line in session.logs.lines(other)]
        except NetworkError:
            pass
        else:
            raise AssertionError("an unreachable server with nothing kept must raise")


async def test_logs_tab_says_when_it_replays_from_the_cache(emulator):
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        run_id = str(uuid.uuid4())
        await app.session.cache.track_logs(run_id)
        await app.session.cache.append_logs(run_id, _lines(3, "kept"), complete=True)
        screen = RunLogsScreen(run_id)
        app.push_screen(screen)
        await wait_until(pilot, lambda: screen.state == "complete", timeout=20)
        await wait_until(pilot, lambda: "kept 2" in "\n".join(screen.view.lines))
        status = str(screen.query_one("#logs-status", Static).render())
        assert "replayed from the cache" in status


async def test_run_stream_log_updates_feed_the_logs_view(emulator_factory):
    emu = emulator_factory(speed=0.3)  # slow: the stream sends a log_update each second
    httpx.post(
        f"{emu.base_url}/_emulator/faults",
        json={"kind": "404", "route": "/api/v2/stream-logs"},  # only log_update can bring lines
    ).raise_for_status()
    app = ComfyTUI(settings_for(emu))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        session = app.session
        listing = await session.catalog.refresh_deployments()
        deployment = next(d for d in listing.items if d.name == "txt2img")
        stream = aiter(session.client.stream_run(deployment.id, {}, on_log=session.logs.publish))
        run_id = await anext(stream)
        screen = RunLogsScreen(run_id)
        app.push_screen(screen)
        await wait_until(pilot, lambda: screen.is_mounted and screen._unsubscribe is not None)

        async def drain() -> None:
            async for _ in stream:
                pass

        task = asyncio.create_task(drain())
        try:
            await wait_until(
                pilot, lambda: any(f"Run {run_id}: " in x for x in screen.view.lines), timeout=30
            )
        finally:
            task.cancel()
        assert "404" in screen.state or "not found" in screen.state.lower()  # the route failed


async def test_published_and_followed_lines_are_shown_once(emulator):
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        screen = RunLogsScreen(str(uuid.uuid4()))
        app.push_screen(screen)
        await wait_until(pilot, lambda: screen.is_mounted and screen.state != "loading")
        line = LogLine("same line", "info", NOW)
        screen._remember(screen._from_route, (line.timestamp, line.text))  # the route had it
        app.session.logs.publish(screen.run_id, [line, LogLine("new", "info", NOW)])
        await wait_until(pilot, lambda: any(x.endswith("new") for x in screen.view.lines))
        assert not any(x.endswith("same line") for x in screen.view.lines)


async def test_legacy_server_says_once_it_has_no_log_route(emulator_factory):
    emu = emulator_factory(dialect="legacy")
    app = ComfyTUI(settings_for(emu))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        screen = RunLogsScreen(str(uuid.uuid4()))
        app.push_screen(screen)
        await wait_until(pilot, lambda: screen.state not in ("loading", "following"), 20)
        status = str(screen.query_one("#logs-status", Static).render())
        assert status.count("has no log route") == 1
        assert "legacy and self-hosted" in status and not screen.view.lines
