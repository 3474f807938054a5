"""Keys: help generated from the bindings, keymap overrides from settings, command palette."""

from __future__ import annotations

from support_ui import FIXED_NOW, panes_filled, settings_for, wait_until

from comfytui.ui.app import ComfyTUI
from comfytui.ui.panes.base import PaneFilter
from comfytui.ui.screens.help import HelpScreen
from comfytui.ui.screens.main import MainScreen

SIZE = (120, 35)


async def test_help_lists_the_bindings_with_ids(emulator):
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await pilot.press("2", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {ident for _, _, ident in app.screen.rows}
        assert {
            "app.help",
            "app.quit",
            "app.start_run",
            "app.open_by_id",
            "pane.filter",
            "pane.sort",
            "pane.refresh",
            "pane.down",
            "pane.last",
            "main.pane1",
            "main.next_pane",
            "table.open",
        } <= ids
        keys = {ident: key for key, _, ident in app.screen.rows}
        assert keys["pane.filter"] == "/"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_every_binding_has_an_id():
    from textual.binding import Binding

    from comfytui.ui.panes import PANES
    from comfytui.ui.panes.base import PaneFilter, PaneTable
    from comfytui.ui.screens import details, help, prompt

    classes = [
        ComfyTUI,
        MainScreen,
        PaneTable,
        PaneFilter,
        *PANES,
        details.DetailScreen,
        details.DeploymentScreen,
        help.HelpScreen,
        prompt.OpenByIdScreen,
    ]
    for cls in classes:
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding) and binding.id, (cls, binding)


async def test_keymap_from_settings_rebinds_keys(emulator):
    settings = settings_for(emulator, keymap={"pane.filter": "f", "main.pane4": "x"})
    app = ComfyTUI(settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await pilot.press("x")
        assert app.main.current_pane is app.main.runs
        await pilot.press("slash")
        assert not isinstance(app.focused, PaneFilter)
        await pilot.press("f")
        assert isinstance(app.focused, PaneFilter)
        await pilot.press("escape", "question_mark")
        keys = {ident: key for key, _, ident in app.screen.rows}
        assert keys["pane.filter"] == "f"


async def test_palette_goes_to_a_pane(emulator):
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await pilot.press("1", "ctrl+p")
        await pilot.press(*"to runs")
        await wait_until(pilot, lambda: True)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.main.current_pane is app.main.runs)
