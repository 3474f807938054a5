"""`run_tui`: exit codes and one-line errors, never a traceback; the demo badge at start-up."""

from __future__ import annotations

import pytest
from support_ui import panes_filled, settings_for, wait_until

from comfytui.settings import load_settings
from comfytui.ui.app import ComfyTUI
from comfytui.ui.launch import run_tui
from comfytui.ui.widgets.status import StatusBar


def test_bad_flag_is_one_line(capsys):
    assert run_tui(["--bogus"]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "--bogus" in err


def test_bad_config_is_one_line(isolated_home, capsys):
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("this is = = not toml", encoding="utf-8")
    assert run_tui([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not valid TOML" in err


async def test_unhandled_exception_leaves_with_one_line(emulator):
    app = ComfyTUI(settings_for(emulator))
    with pytest.raises(ZeroDivisionError):  # run_test re-raises it for the test's sake
        async with app.run_test(size=(80, 24)) as pilot:
            app.call_later(lambda: 1 / 0)
            await pilot.pause()
    assert app.return_code == 1
    assert app.exit_message is not None
    assert app.exit_message.startswith("comfytui: unexpected ZeroDivisionError: division by zero")
    assert not app._exit_renderables  # no Textual traceback to print


async def test_demo_mode_starts_the_emulator_and_says_so():
    app = ComfyTUI(load_settings(keyring_lookup=False))
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: panes_filled(app), timeout=20)
        assert app.session.demo
        assert "demo: local emulator" in str(app.main.query_one(StatusBar).render())
        assert "txt2img" in [d.name for d in app.main.deployments.items]
