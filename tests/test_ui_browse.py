"""Browse UI against the emulator through a real Session: panes, filter, detail views, markup."""

from __future__ import annotations

from support_ui import FIXED_NOW, cell_texts, panes_filled, settings_for, wait_until

from comfytui.ui.app import ComfyTUI
from comfytui.ui.screens.details import DeploymentScreen, MachineScreen, WorkflowScreen
from comfytui.ui.screens.main import MainScreen

SIZE = (120, 35)


def make_app(emulator) -> ComfyTUI:
    return ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)


async def test_each_pane_fills_from_the_api(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        main = app.main
        names = {
            kind: [row[0].removeprefix("★ ") for row in cell_texts(main.pane(kind).table)]
            for kind in ("workflows", "deployments", "machines")
        }
        assert "txt2img" in names["workflows"]
        assert "draft-no-deployment" in names["workflows"]
        assert {"txt2img", "webp-out", "broken"} <= set(names["deployments"])
        assert {"gpu-a10g-prod", "broken-box"} <= set(names["machines"])
        runs = main.runs
        assert runs.table.row_count >= 27  # the seed's frozen runs
        assert runs.total == runs.table.row_count
        assert app.state.offline is False
        assert app.state.last_sync is not None


async def test_filter_narrows_and_escape_restores(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        pane = app.main.deployments
        before = pane.table.row_count
        await pilot.press("2", "slash", *"webp")
        assert [row[0] for row in cell_texts(pane.table)] == ["webp-out"]
        await pilot.press("enter")  # leave the filter box, keep the filter
        assert app.focused is pane.table
        await pilot.press("escape")
        assert pane.table.row_count == before
        assert pane.selected is not None and pane.selected.name == "webp-out"


async def test_enter_opens_the_right_detail_and_escape_returns(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        pane = app.main.deployments
        await pilot.press("2", "slash", *"txt2", "enter")
        target = pane.selected
        assert target is not None and target.name == "txt2img"
        await pilot.press("enter")
        assert isinstance(app.screen, DeploymentScreen)
        await wait_until(pilot, lambda: app.screen.detail is not None)
        assert app.screen.deployment.id == target.id
        text = " ".join(" ".join(r) for t in app.screen.query("DataTable") for r in cell_texts(t))
        assert "prompt" in text  # an input of txt2img, with its type
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert app.focused is pane.table

        await pilot.press("3", "slash", *"-box", "enter", "enter")
        assert isinstance(app.screen, MachineScreen)
        await wait_until(pilot, lambda: app.screen.detail is not None)
        await pilot.press("escape", "1", "slash", *"webp", "enter", "enter")
        assert isinstance(app.screen, WorkflowScreen)
        await wait_until(pilot, lambda: app.screen.detail is not None)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_markup_names_render_literally(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        names = [row[0] for row in cell_texts(app.main.deployments.table)]
        assert "[@click=app.quit]boom[/]" in names
        assert "[bold red]x[/]" in names
        # The rendered screen shows the brackets, and clicking the name does nothing.
        await pilot.press("2", "slash", *"boom", "enter")
        assert app.main.deployments.table.row_count == 1
        await pilot.click("#pane-deployments PaneTable", offset=(4, 1))
        await pilot.pause()
        assert app.is_running
        lines = app.export_screenshot()
        assert "[@click=app.quit]boom[/]" in lines.replace("&#160;", " ")


async def test_tab_and_number_keys_switch_panes(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        main = app.main
        await pilot.press("1")
        assert main.current_pane is main.pane("workflows")
        await pilot.press("tab")
        assert main.current_pane is main.pane("deployments")
        await pilot.press("4")
        assert main.current_pane is main.runs
        await pilot.press("tab")
        assert main.current_pane is main.pane("workflows")


async def test_sort_cycles_and_vim_keys_move(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        pane = app.main.deployments
        await pilot.press("2")
        assert pane.table.cursor_row == 0
        await pilot.press("j", "j", "k")
        assert pane.table.cursor_row == 1
        await pilot.press("G")
        assert pane.table.cursor_row == pane.table.row_count - 1
        await pilot.press("g")
        assert pane.table.cursor_row == 0
        await pilot.press("s")  # name -> environment
        envs = [row[1] for row in cell_texts(pane.table)]
        assert envs == sorted(envs, key=str.casefold)
