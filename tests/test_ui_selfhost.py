"""A server without listing routes: the panes explain it, and o opens a deployment by id."""

from __future__ import annotations

from support_ui import FIXED_NOW, settings_for, wait_until

from comfytui.ui.app import ComfyTUI
from comfytui.ui.screens.details import DeploymentScreen
from comfytui.ui.screens.prompt import OpenByIdScreen

SIZE = (120, 35)


async def test_selfhost_explains_and_opens_by_id(emulator_factory):
    emu = emulator_factory(dialect="selfhost")
    app = ComfyTUI(settings_for(emu), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.main.deployments
        await wait_until(pilot, lambda: pane.revalidated)
        notice = pane.query_one(".pane-notice")
        assert notice.display
        assert "no route that lists deployments" in str(notice.render())
        assert "o" in str(notice.render())
        assert "(self-hosted server)" in str(notice.render())  # the dialect in use
        await pilot.press("o")
        assert isinstance(app.screen, OpenByIdScreen)
        await pilot.click("#kind-deployment")
        app.screen.query_one("#open-id").focus()
        # no listing: a name cannot be looked up (said under the box); a whole id is trusted
        await pilot.press(*"txt2img", "enter")
        message = app.screen.query_one("#open-message")
        await wait_until(pilot, lambda: "txt2img" in str(message.render()), 30)
        dep_id = next(iter(emu.state.deployments))
        app.screen.query_one("#open-id").value = dep_id
        app.screen.query_one("#open-id").focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DeploymentScreen), 30)
        assert app.screen.item_id == dep_id
