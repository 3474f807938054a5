"""The TUI under faults (Pilot): refreshing and starting a run while the server misbehaves gives
a one-line notice, the app stays up, cached rows and the typed form are kept."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs import RunFormScreen
from comfytui.ui.widgets.status import OfflineBanner
from tests.support_ui import cell_texts, panes_filled, settings_for
from tests.support_ui import poll_until as poll
from tests.test_reliability_faults import FAULTS, START_FAULTS, fault_spec, session_for

SIZE = (120, 40)


def messages(app: ComfyTUI) -> list[str]:
    return [str(n.message) for n in app._notifications]


def all_rows(app: ComfyTUI) -> list[list[list[str]]]:
    return [cell_texts(pane.table) for pane in app.main.panes]


def pane_notices(app: ComfyTUI) -> list[str]:
    out = []
    for pane in app.main.panes:
        notice = pane.query_one(".pane-notice", Static)
        if notice.display and str(notice.render()).strip():
            out.append(str(notice.render()))
    return out


def banner_text(app: ComfyTUI) -> str:
    banner = app.main.query_one(OfflineBanner)
    return str(banner.render()) if banner.display else ""


@pytest.mark.parametrize("fault", FAULTS)
async def test_refresh_under_fault(emulator, fault):
    async with session_for(emulator) as session:
        app = ComfyTUI(settings_for(emulator), session=session)
        async with app.run_test(size=SIZE) as pilot:
            await poll(pilot, lambda: panes_filled(app))
            before = all_rows(app)
            seen = len(app._notifications)
            spec = fault_spec(fault, "", "")
            spec.pop("route"), spec.pop("method")
            emulator.add_fault(**spec)
            for pane in app.main.panes:
                pane.revalidated = False
            app.action_refresh()
            await poll(
                pilot,
                lambda: (
                    all(p.revalidated for p in app.main.panes)
                    or len(app._notifications) > seen
                    or banner_text(app)
                    or pane_notices(app)
                ),
            )
            await pilot.pause(0.3)
            emulator.clear_faults()
            told = messages(app)[seen:] + [banner_text(app), *pane_notices(app)]
            told = [t for t in told if t and not t.startswith("refreshing")]
            assert told, f"nothing told the user about {fault}"
            for text in told:
                assert emulator.api_key not in text
            for text in messages(app)[seen:]:
                assert "\n" not in text.strip()
            assert app.is_running and app.screen is app.main
            assert all_rows(app) == before  # cached rows kept
            await pilot.press("2", "j", "k")  # still responds to keys
            assert app.is_running


# every fault on the queue route is covered through services (test_reliability_faults); through the
# form, one of each family: server error, retryable 5xx, dropped, unusable answer, rejected key
TUI_START_FAULTS = ("500", "503", "drop", "malformed", "401")
assert set(TUI_START_FAULTS) <= set(START_FAULTS)


@pytest.mark.parametrize("fault", TUI_START_FAULTS)
async def test_start_run_under_fault_keeps_the_form(emulator, fault):
    async with session_for(emulator) as session:
        app = ComfyTUI(settings_for(emulator), session=session)
        async with app.run_test(size=SIZE) as pilot:
            await poll(pilot, lambda: panes_filled(app))
            deployment = await session.catalog.resolve_deployment("txt2img")
            deployment = await session.catalog.ensure_inputs(deployment)
            app.push_screen(RunFormScreen(deployment))
            await poll(pilot, lambda: isinstance(app.screen, RunFormScreen) and app.screen.fields)
            form = app.screen
            assert isinstance(form, RunFormScreen)
            negative = next(f for f in form.fields if f.spec.input_id == "negative")
            negative.editor.value = "typed by hand"
            emulator.add_fault(**fault_spec(fault, "/api/run/deployment/queue", "POST"))
            runs_before = len(emulator.state.runs)
            await pilot.press("ctrl+s")
            await poll(
                pilot,
                lambda: not form.starting and str(form.query_one("#form-error").render()) != "",
            )
            emulator.clear_faults()
            error = str(form.query_one("#form-error").render())
            assert error.startswith("✗") and "\n" not in error.strip()
            assert emulator.api_key not in error
            assert app.is_running and app.screen is form  # the form is kept
            assert negative.raw() == "typed by hand"
            assert len(emulator.state.runs) - runs_before <= 1
            # and it works once the server is fine again: same form, one key press
            await pilot.press("ctrl+s")
            await poll(pilot, lambda: app.screen is not form)
            assert app.is_running
