"""The app's mixins (ui/app_connection.py, ui/runs/app_runs.py, ui/app_profiles.py) still run.

Textual collects `@on(...)` handlers through the metaclass of its message pumps: a handler moved
into a plain `object` mixin would be silently dropped. These tests fail when that happens.
"""

from __future__ import annotations

from datetime import timedelta

from support_ui import FIXED_NOW, panes_filled, settings_for, wait_until

from comfytui.services.listing import Listing
from comfytui.ui.app import ComfyTUI
from comfytui.ui.app_connection import AppConnection
from comfytui.ui.app_profiles import AppProfiles
from comfytui.ui.panes import ListingLoaded
from comfytui.ui.runs.app_runs import AppRuns

SIZE = (120, 35)


def test_the_mixins_decorated_handlers_are_collected():
    for mixin in (AppConnection, AppRuns, AppProfiles):
        assert mixin in ComfyTUI.__mro__
    handlers = AppConnection.__dict__.get("_decorated_handlers", {})
    assert [m.__name__ for m, _ in handlers.get(ListingLoaded, [])] == ["_note_listing"]


async def test_a_listing_posted_to_the_app_reaches_the_connection_state(emulator):
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app) and app.state.last_sync is not None)
        later = app.state.last_sync + timedelta(days=3)  # newer than any sync so far
        listing = Listing(items=[], last_sync=later)
        app.post_message(ListingLoaded("elsewhere", listing, fresh=False))
        # `_note_listing` (an @on handler of the mixin) keeps the newest sync time
        await wait_until(pilot, lambda: app.state.last_sync == later)
