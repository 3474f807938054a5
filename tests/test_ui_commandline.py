"""`:` command mode: every command and alias, filters, history, completion, unknown commands."""

from __future__ import annotations

import pytest
from support_ui import FIXED_NOW, panes_filled, settings_for, wait_until

from comfytui.ui.app import ComfyTUI
from comfytui.ui.commandline.prompt import CommandPrompt
from comfytui.ui.screens.main import MainScreen

SIZE = (120, 35)


def _app(emulator, **changes) -> ComfyTUI:
    return ComfyTUI(settings_for(emulator, **changes), clock=lambda: FIXED_NOW)


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _command(pilot, line: str) -> None:
    """Type `:`, the line, enter: as a user does."""
    await pilot.press("colon")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPrompt))
    await pilot.press(*line)
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(pilot.app.screen, CommandPrompt))


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("workflows", "workflows"),
        ("wf", "workflows"),
        ("deployments", "deployments"),
        ("dep", "deployments"),
        ("dp", "deployments"),
        ("machines", "machines"),
        ("m", "machines"),
        ("runs", "runs"),
        ("r", "runs"),
    ],
)
async def test_view_commands_and_aliases_go_to_their_pane(emulator, line, kind):
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        start = "machines" if kind != "machines" else "runs"
        app.run_command(start)
        await wait_until(pilot, lambda: start == app.main.current_pane.KIND)
        await _command(pilot, line)
        await wait_until(pilot, lambda: kind == app.main.current_pane.KIND)


async def test_runs_failed_filters_the_runs_pane(emulator):
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        runs = app.main.runs
        everything = runs.total
        await _command(pilot, "runs failed")
        await wait_until(pilot, lambda: runs.query_text == "failed")
        assert app.main.current_pane is runs
        assert 0 < runs.total < everything
        assert all(r.status.value == "failed" for r in runs.view)
        # -: back to the previous view (the Deployments pane, unfiltered)
        await pilot.press("minus")
        await wait_until(pilot, lambda: app.main.current_pane is app.main.deployments)


async def test_deployment_filters_by_environment_and_runs_by_deployment(emulator):
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await _command(pilot, "dep @staging")
        deployments = app.main.deployments
        await wait_until(pilot, lambda: deployments.query_text == "@staging")
        assert deployments.view and all(d.environment == "staging" for d in deployments.view)
        await _command(pilot, "r /txt2img")
        runs = app.main.runs
        await wait_until(pilot, lambda: runs.query_text == "/txt2img")
        assert runs.view and all(runs.deployment_name(r) == "txt2img" for r in runs.view)
        await _command(pilot, "-")
        await wait_until(pilot, lambda: app.main.current_pane is deployments)
        assert deployments.query_text == "@staging"


async def test_unknown_command_names_the_closest(emulator):
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await _command(pilot, "rnus")
        await wait_until(pilot, lambda: any("unknown command" in t for t in _toasts(app)))
        text = next(t for t in _toasts(app) if "unknown command" in t)
        assert text == "unknown command :rnus; did you mean :runs?"
        assert isinstance(app.screen, MainScreen)


async def test_history_is_kept_in_the_data_folder(emulator):
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await _command(pilot, "machines")
        await _command(pilot, "runs failed")
    path = app.settings.locations.data_dir / "command_history"
    assert path.read_text().splitlines() == ["machines", "runs failed"]
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await pilot.press("colon")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPrompt))
        await pilot.press("up")
        assert app.screen.input.value == "runs failed"
        await pilot.press("up")
        assert app.screen.input.value == "machines"
        await pilot.press("down")
        assert app.screen.input.value == "runs failed"
        await pilot.press("down")
        assert app.screen.input.value == ""
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))


async def test_tab_completes_commands_and_arguments(emulator):
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await pilot.press("colon")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPrompt))
        await pilot.press("m", "a", "tab")
        assert app.screen.input.value == ":machines "
        app.screen.input.value = ":theme textual-l"
        await pilot.press("tab")
        assert app.screen.input.value == ":theme textual-light "
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.theme == "textual-light")


async def test_configured_aliases(emulator):
    app = _app(emulator, aliases={"bad": "runs failed"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await _command(pilot, "bad")
        await wait_until(pilot, lambda: app.main.runs.query_text == "failed")
        assert app.main.current_pane is app.main.runs


async def test_theme_quit_and_features_not_yet_there(emulator):
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await _command(pilot, "theme textual-light")
        await wait_until(pilot, lambda: app.theme == "textual-light")
        await _command(pilot, "theme nord-ish")
        await wait_until(pilot, lambda: any("unknown theme" in t for t in _toasts(app)))
        for line, name in (("g", "gallery"), ("sw", "sweeps"), ("rerun", "rerun")):
            if hasattr(app, f"action_show_{name}") or hasattr(app, f"action_{name}"):
                continue  # provided by its feature: tested there
            await _command(pilot, line)
            await wait_until(pilot, lambda n=name: any(f":{n} is not" in t for t in _toasts(app)))
        await _command(pilot, "q")
        await wait_until(pilot, lambda: app.return_code is not None or not app.is_running)


async def test_open_by_prefix_and_run_with_values(emulator):
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        target = app.main.runs.view[0].id
        await _command(pilot, f"open {target[:8]}")
        await wait_until(pilot, lambda: getattr(app.screen, "run_id", None) == target)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        before = app.main.runs.total
        await _command(pilot, "run txt2img steps=7")
        await wait_until(pilot, lambda: any(" queued on txt2img" in t for t in _toasts(app)))
        await wait_until(pilot, lambda: app.main.runs.total == before + 1)
        await _command(pilot, "run txt2img nosuch=1")
        await wait_until(pilot, lambda: any("unknown input 'nosuch'" in t for t in _toasts(app)))


def test_prompt_bindings_have_ids_and_parse_is_pure():
    import subprocess
    import sys

    from textual.binding import Binding

    for binding in CommandPrompt.BINDINGS:
        assert isinstance(binding, Binding) and binding.id
    code = (
        "import sys, comfytui.ui.commandline.parse, comfytui.ui.commandline.history;"
        "sys.exit('textual' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


async def test_profile_switches_account_without_restarting(emulator):
    app = _app(emulator)
    config = app.settings.locations.config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[profiles.prod]\napi_url = "{emulator.api_url}"\napi_key = "{emulator.api_key}"\n'
        "readonly = true\n"
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        first = app.session
        await _command(pilot, "profile nosuch")
        await wait_until(pilot, lambda: any("no profile 'nosuch'" in t for t in _toasts(app)))
        await _command(pilot, "profile prod")
        await wait_until(pilot, lambda: app.settings.profile == "prod" and app.session is not first)
        await wait_until(pilot, lambda: panes_filled(app) and app.state.readonly)
        assert app.readonly and app.session.readonly
        assert app.settings.locations.cache_file("prod").exists()


async def test_help_lists_the_commands(emulator):
    from textual.widgets import DataTable

    from comfytui.ui.screens.help import HelpScreen

    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "app.command" in {ident for _, _, ident in app.screen.rows}
        table = app.screen.query_one("#help-commands", DataTable)
        first = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert ":runs [STATUS|/DEPLOYMENT]" in first and ":run NAME [k=v ...]" in first


async def test_keys_typed_right_after_colon_are_not_lost(emulator):
    """A paste or a fast typist: the keys arrive before the prompt is on screen."""
    from textual import events

    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        for key in ["colon", *"runs failed", "enter"]:
            char = {"colon": ":", "enter": "\r"}.get(key, key)
            app.post_message(events.Key(key, char))
        await wait_until(pilot, lambda: app.main.runs.query_text == "failed")
        assert app.command_history.entries == ["runs failed"]
        # `:` typed into a text field stays a character
        await pilot.press("3", "slash", "a", "colon", "b")
        assert app.main.current_pane.query_text == "a:b"
