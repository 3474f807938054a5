"""The screen tells the truth (issue 14): a watched run whose polls fail says so and counts down,
a run the server forgot is marked not-found, errors are named for what happened, the app comes
back online by itself, relative times tick, the status bar fits 80 columns, and a run started
in the app shows everywhere at once. Everything runs against the emulator (faults injected)."""

from __future__ import annotations

import re
from datetime import timedelta

from rich.text import Text
from support_ui import FIXED_NOW, cell_texts, panes_filled, settings_for, wait_until
from textual.widgets import Static

from comfytui.models import RunStatus
from comfytui.services import Session
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs import RunScreen
from comfytui.ui.widgets.status import OfflineBanner, StatusBar

SIZE = (120, 35)
FAST = {"retry_attempts": 1}
SLOW = 0.005  # emulator speed: a run stays running for minutes


def plain(widget) -> str:
    content = widget.render()
    return content.plain if isinstance(content, Text) else str(content)


def link_line(app) -> str:
    line = app.screen.query_one("#run-link", Static)
    return plain(line) if line.display else ""


def bar(app) -> str:
    return plain(app.main.query_one(StatusBar))


async def _watched_run(session, app, pilot):
    deployment = await session.catalog.resolve_deployment("txt2img")
    run = await session.runs.start(deployment, {})
    app.run_watcher.retry_base = 0.2
    app.run_watcher.retry_max = 1.0
    session.link.backoff_first = session.link.backoff_max = 0.3
    app.push_screen(RunScreen(run.id))
    await wait_until(pilot, lambda: run.id in app.run_watcher.latest, timeout=20)
    return run


async def test_watched_run_with_the_server_stopped_then_404ing(emulator_factory):
    emu = emulator_factory(speed=SLOW)
    settings = settings_for(emu)
    async with Session.open(settings, client_options=FAST) as session:
        app = ComfyTUI(settings, session=session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.session is not None and app.state.link)
            run = await _watched_run(session, app, pilot)
            port, host = emu.port, session.api_host
            emu.stop()
            await wait_until(pilot, lambda: "retrying in" in link_line(app), timeout=20)
            line = link_line(app)
            assert line.startswith(f"offline: cannot reach {host}, retrying in "), line
            assert "; last update " in line
            assert "clocks stale" in plain(app.screen.query_one("#run-times", Static))
            assert app.state.problem == "offline"
            assert re.search(r"● offline, retrying in \d+ s", bar(app)), bar(app)
            # The same address answers again, but it has never heard of the run: 404.
            emulator_factory(speed=SLOW, port=port)
            await wait_until(
                pilot,
                lambda: app.run_watcher.latest[run.id].status is RunStatus.NOT_FOUND,
                timeout=30,
            )
            await wait_until(pilot, lambda: not link_line(app))
            assert "not-found" in plain(app.screen.query_one("#run-status", Static))
            assert "stale" not in plain(app.screen.query_one("#run-times", Static))
            cached = await session.cache.get_run(run.id)
            assert cached is not None and cached.status is RunStatus.NOT_FOUND
            assert run.id not in {r.id for r in await session.runs.unfinished()}
            await wait_until(pilot, lambda: not app.state.offline, timeout=20)
            assert "unknown to the server" in plain(app.screen.query_one("#run-error", Static))


async def test_back_online_by_itself_after_a_fault_clears(emulator_factory):
    emu = emulator_factory()
    settings = settings_for(emu)
    async with Session.open(settings, client_options=FAST) as session:
        session.link.backoff_first = session.link.backoff_max = 0.3
        app = ComfyTUI(settings, session=session, clock=lambda: FIXED_NOW)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: panes_filled(app), timeout=20)
            emu.add_fault(kind="503")  # every /api route, until cleared
            await pilot.press("2", "r")
            await wait_until(pilot, lambda: app.state.offline, timeout=20)
            banner = app.main.query_one(OfflineBanner)
            assert f"{session.api_host} had a server error (HTTP 503)" in plain(banner)
            assert "offline" not in plain(banner)  # a server error is not "offline"
            assert "● server error" in bar(app)
            emu.clear_faults()  # no key pressed from here on
            await wait_until(pilot, lambda: not app.state.offline, timeout=20)
            await wait_until(pilot, lambda: not banner.display)
            assert "● online" in bar(app)
            assert any("back online" in n.message for n in app._notifications)


async def _named(emulator_factory, **fault) -> tuple[str, str]:
    """The run screen's line and the status bar while polls of a watched run meet `fault`."""
    emu = emulator_factory(speed=SLOW)
    settings = settings_for(emu)
    async with Session.open(settings, client_options=FAST) as session:
        app = ComfyTUI(settings, session=session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.state.link is not None)
            run = await _watched_run(session, app, pilot)
            emu.add_fault(route=f"/api/run/{run.id}", method="GET", **fault)
            await wait_until(pilot, lambda: "retrying in" in link_line(app), timeout=20)
            first = link_line(app)
            if fault["kind"] == "429":  # the countdown moves
                await wait_until(pilot, lambda: link_line(app) != first, timeout=10)
                later = link_line(app)
                wait = [int(re.search(r"retrying in (\d+) s", t)[1]) for t in (first, later)]
                assert 20 <= wait[1] < wait[0] <= 30, (first, later)
            return first, bar(app)


async def test_a_server_error_is_named(emulator_factory):
    line, status = await _named(emulator_factory, kind="503")
    assert "had a server error (HTTP 503), retrying in" in line and "offline" not in line
    assert "● server error" in status


async def test_a_rate_limit_is_named_and_counts_down(emulator_factory):
    line, status = await _named(emulator_factory, kind="429", retry_after=30)
    assert line.startswith("rate limited by 127.0.0.1:") and "; retrying in " in line, line
    assert "● rate limited, retrying in" in status


async def test_a_malformed_answer_is_named(emulator_factory):
    line, status = await _named(emulator_factory, kind="malformed")
    assert "sent an unusable answer, retrying in" in line and "offline" not in line
    assert "● bad answers" in status


async def test_relative_times_keep_ticking(emulator_factory):
    emu = emulator_factory()
    settings = settings_for(emu)
    now = [FIXED_NOW]
    async with Session.open(settings, client_options=FAST) as session:
        deployment = await session.catalog.resolve_deployment("txt2img")
        app = ComfyTUI(settings, session=session, clock=lambda: now[0])
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: panes_filled(app), timeout=20)
            run = await session.runs.start(deployment, {})
            now[0] = run.created_at + timedelta(seconds=12)
            app.run_watcher.announce(run)
            table = app.main.runs.table
            await pilot.press("4")

            def created() -> str:
                row = next(r for r in cell_texts(table) if r[5] == run.id[:8])
                return row[0]

            await wait_until(pilot, lambda: created() == "12 s ago", timeout=10)
            now[0] += timedelta(seconds=30)  # no key, no reload: the tick moves it
            await wait_until(pilot, lambda: created() == "42 s ago", timeout=10)
            now[0] += timedelta(minutes=3)
            await wait_until(pilot, lambda: created() == "3 min ago", timeout=10)
            rows = cell_texts(table)
            assert rows[0][5] == run.id[:8]  # newest first still reads in order


async def test_status_bar_fits_80_columns_and_counts_what_the_runs_pane_shows(emulator):
    settings = settings_for(emulator, readonly=True)
    app = ComfyTUI(settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: panes_filled(app), timeout=20)
        app.state.demo = True  # the widest badges at once
        app._show_state()
        await pilot.pause()
        text = bar(app)
        assert len(text) <= 80, text
        pane = app.main.runs
        active = sum(1 for r in pane.items if not r.is_terminal)
        assert active > 0
        assert re.search(rf"\b{active} active\b", text), text
        assert ("READ-ONLY" in text or " RO " in text) and "demo" in text and "online" in text
        assert "…" not in text  # shortened labels, never a cut word
    wide = ComfyTUI(settings, clock=lambda: FIXED_NOW)
    async with wide.run_test(size=(160, 24)) as pilot:
        await wait_until(pilot, lambda: panes_filled(wide), timeout=20)
        assert f"{active} active run" in bar(wide) and "READ-ONLY" in bar(wide)


async def test_a_run_started_elsewhere_shows_at_once(emulator_factory):
    emu = emulator_factory(speed=SLOW)
    settings = settings_for(emu)
    async with Session.open(settings, client_options=FAST) as session:
        app = ComfyTUI(settings, session=session, clock=lambda: FIXED_NOW)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: panes_filled(app), timeout=20)
            deployment = await session.catalog.resolve_deployment("txt2img")
            from comfytui.ui.screens.details import DeploymentScreen

            app.push_screen(DeploymentScreen(deployment.id))
            await wait_until(pilot, lambda: getattr(app.screen, "_runs_table", None) is not None)
            screen = app.screen
            before = app.main.runs.active_count
            app.run_command("run txt2img prompt=fox")  # `:run`, from the command line
            await wait_until(pilot, lambda: len(app.started_here) == 1, timeout=20)
            run_id = next(iter(app.started_here))
            # no refresh, no poll needed: the one RunStarted event reached every view
            assert any(r.id == run_id for r in screen.recent_runs)
            ids = [row[-1] for row in cell_texts(screen._runs_table)]
            assert run_id in ids
            assert any(r.id == run_id for r in app.main.runs.items)
            assert app.main.runs.active_count == before + 1
            app._show_state()
            assert f"{before + 1} active" in bar(app)
