"""Keys typed in one burst with `/` (tmux send-keys, a paste, a fast typist) reach the filter box:
they are queued for the rows before the box takes focus, and must not act as the rows' keys."""

from __future__ import annotations

from textual import events

from comfytui.ui.app import ComfyTUI
from comfytui.ui.panes.base import PaneFilter
from tests.support_ui import panes_filled, poll_until, settings_for, wait_until


def _burst(app: ComfyTUI, text: str) -> None:
    """Post the keys at once, as the terminal driver does for one read of several bytes."""
    for ch in text:
        key = "slash" if ch == "/" else ch
        app.post_message(events.Key(key, ch))


async def test_keys_typed_with_slash_in_one_burst_land_in_the_filter(emulator):
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await pilot.press("2")
        pane = app.main.deployments
        await poll_until(pilot, lambda: pane.table.has_focus)
        _burst(app, "/txt2img")
        box = pane.query_one(PaneFilter)
        await poll_until(pilot, lambda: box.value == "txt2img")
        await pilot.press("enter")
        await poll_until(pilot, lambda: pane.table.has_focus)
        assert pane.selected is not None and pane.selected.name == "txt2img"
        assert all(d.name == "txt2img" for d in pane.view)
