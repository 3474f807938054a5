"""Read-only mode in the TUI: mutating keys hidden and refused, palette entries greyed, the
READ-ONLY badge, and no mutating request reaching the emulator."""

from __future__ import annotations

import httpx
from support_ui import FIXED_NOW, panes_filled, settings_for, wait_until

from comfytui.ui.app import ComfyTUI
from comfytui.ui.commandline.prompt import CommandPrompt
from comfytui.ui.commands import ComfyCommands
from comfytui.ui.screens.main import MainScreen
from comfytui.ui.widgets.status import StatusBar

SIZE = (120, 35)
MUTATING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _shown_actions(screen) -> set[str]:
    return {b.binding.action for b in screen.active_bindings.values()}


async def _command(pilot, line: str) -> None:
    await pilot.press("colon")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPrompt))
    await pilot.press(*line, "enter")
    await wait_until(pilot, lambda: not isinstance(pilot.app.screen, CommandPrompt))


async def test_readonly_hides_and_refuses_every_mutating_action(emulator):
    app = ComfyTUI(settings_for(emulator, readonly=True), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        bar = app.main.query_one(StatusBar)
        await wait_until(pilot, lambda: "READ-ONLY" in str(bar.render()))
        httpx.delete(f"{emulator.base_url}/_emulator/requests")
        # n (new run): hidden from the footer and help, refused when pressed
        assert "start_run" not in _shown_actions(app.screen)
        await pilot.press("2", "n")
        await wait_until(pilot, lambda: any("read-only mode" in t for t in _toasts(app)))
        assert isinstance(app.screen, MainScreen)
        # the deployment detail screen's `n` too
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DeploymentScreen")
        assert not any(a.endswith("start_run") for a in _shown_actions(app.screen))
        await pilot.press("n")
        assert type(app.screen).__name__ == "DeploymentScreen"
        await pilot.press("escape")
        # a running run: `c` (cancel) hidden and refused
        running = next(r for r in app.main.runs.items if not r.is_terminal)
        app.run_command(f"open {running.id}")
        await wait_until(pilot, lambda: getattr(app.screen, "run_id", None) == running.id)
        assert "cancel_run" not in _shown_actions(app.screen)
        await pilot.press("c")
        assert getattr(app.screen, "run_id", None) == running.id
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        # command mode: :run and :cancel refused with one line
        app.clear_notifications()
        await _command(pilot, "run txt2img prompt=fox")
        await _command(pilot, "cancel")
        refused = [t for t in _toasts(app) if "read-only mode" in t]
        assert len(refused) == 2, _toasts(app)
        assert refused[0] == (
            "starting a run is disabled in read-only mode (--readonly or readonly = true "
            "in config.toml)"
        )
        # the palette greys the run entries with the reason
        provider = ComfyCommands(app.screen)
        entries = list(provider._entries())
        greyed = {text: reason for text, _, _, reason in entries if reason}
        assert any(text.startswith("Start a run on") for text in greyed)
        assert any(text.startswith(":run") for text in greyed)
        assert all(reason and "read-only" in reason for reason in greyed.values())
        assert any(text.startswith(":runs") for text, *_ in entries if text not in greyed)
        # palette command refused too
        command = next(c for text, c, _, r in entries if r and text.startswith("Start a run"))
        command()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        log = httpx.get(f"{emulator.base_url}/_emulator/requests").json()
        assert [r for r in log if r["method"] in MUTATING_METHODS] == []


async def test_without_readonly_the_keys_are_there(emulator):
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        assert "start_run" in _shown_actions(app.screen)
        assert "READ-ONLY" not in str(app.main.query_one(StatusBar).render())
        await pilot.press("2", "n")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "RunFormScreen")
