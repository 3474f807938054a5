"""Help screen: lists the app's own keys per screen (no table internals), and scrolls by keys."""

from __future__ import annotations

from support_ui import FIXED_NOW, panes_filled, settings_for, wait_until

from comfytui.ui.app import ComfyTUI
from comfytui.ui.screens.help import EVERYWHERE, THIS_SCREEN, HelpScreen, HelpScroll

SIZE = (120, 35)
TABLE_INTERNALS = {"Page Left", "Page Right", "Cursor left", "Cursor right", "Top", "Bottom"}


async def test_help_lists_own_keys_and_scrolls(emulator):
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await pilot.press("4", "question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        sections = dict(help_screen.sections)
        assert list(sections) == [THIS_SCREEN, EVERYWHERE]
        descriptions = {d for _, d, _ in help_screen.rows}
        assert not descriptions & TABLE_INTERNALS, descriptions & TABLE_INTERNALS
        here = {ident for _, _, ident in sections[THIS_SCREEN]}
        assert {"pane.filter", "runs.rerun", "main.pane1", "table.open"} <= here
        everywhere = {d for _, d, _ in sections[EVERYWHERE]}
        assert {"Help", "Quit", "Command palette"} <= everywhere
        assert all(ident for _, _, ident in sections[THIS_SCREEN])

        box = help_screen.query_one(HelpScroll)
        assert app.focused is box
        await wait_until(pilot, lambda: box.max_scroll_y > 0)
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: box.scroll_y > 0)
        await pilot.press("end")
        await wait_until(pilot, lambda: box.scroll_y == box.max_scroll_y)
        await pilot.press("home")
        await wait_until(pilot, lambda: box.scroll_y == 0)
        await pilot.press("down", "down")
        await wait_until(pilot, lambda: box.scroll_y == 2)
        await pilot.press("up")
        await wait_until(pilot, lambda: box.scroll_y == 1)
        await pilot.press("pageup")
        await wait_until(pilot, lambda: box.scroll_y == 0)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))
