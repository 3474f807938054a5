"""Bad config values and undefined profiles are refused up front: one line, exit 2, CLI and TUI."""

from __future__ import annotations

import subprocess

import pytest

from comfytui.errors import ConfigError
from comfytui.locations import locations
from comfytui.settings import load_settings
from tests.support_cli import cli_env, run_with_env

TIMEOUT = 90


def _write(home, text: str):
    path = locations({"COMFYTUI_HOME": str(home)}).config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_with_env(cli_env(), *args, timeout=TIMEOUT)


BAD_VALUES = [
    ('theme = "no-such-theme"', "theme", "one of"),
    ('read_timeout = "soon"', "read_timeout", "above 0"),
    ("connect_timeout = -1", "connect_timeout", "above 0"),
    ("read_timeout = 0", "read_timeout", "above 0"),
    ('image_protocol = "ascii-art"', "image_protocol", "sixel"),
    ('dialect = "v9"', "dialect", "legacy"),
    ('api_url = "ftp://x"', "api_url", "https://"),
    ("[keymap]\n'pane.refresh' = 5", "keymap", "binding id"),
    ('[profiles.work]\ntheme = "nope"', "profiles.work.theme", "one of"),
]


@pytest.mark.parametrize(("text", "key", "allowed"), BAD_VALUES)
def test_each_bad_value_names_file_key_value_and_allowed(isolated_home, text, key, allowed):
    path = _write(isolated_home, text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"COMFYTUI_HOME": str(isolated_home)}, keyring_lookup=False)
    line = str(caught.value)
    assert "\n" not in line
    assert str(path) in line and key in line and allowed in line
    assert caught.value.exit_code == 2


def test_good_values_still_load(isolated_home):
    _write(
        isolated_home,
        'theme = "nord"\nread_timeout = 3\nimage_protocol = "sixel"\n'
        '[keymap]\n"pane.refresh" = "r,f5"\n[profiles.work]\napi_url = "http://h/api"\n',
    )
    s = load_settings(environ={"COMFYTUI_HOME": str(isolated_home)}, keyring_lookup=False)
    assert s.theme == "nord" and s.read_timeout == 3.0 and s.image_protocol == "sixel"
    w = load_settings(
        environ={"COMFYTUI_HOME": str(isolated_home)}, profile="work", keyring_lookup=False
    )
    assert w.api_url == "http://h/api"


def test_bad_value_cli_and_tui_exit_2_with_one_line(isolated_home):
    _write(isolated_home, 'read_timeout = "soon"\n')
    for args in (["ls", "deployments"], []):
        r = _run(*args)
        assert r.returncode == 2, r
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "read_timeout" in lines[0] and "'soon'" in lines[0], r
        assert "Traceback" not in r.stderr


def test_unknown_profile_is_exit_2_listing_known_profiles(isolated_home):
    _write(isolated_home, '[profiles.work]\napi_url = "http://h/api"\n')
    for args in (["--profile", "wrok", "ls", "deployments"], ["--profile", "wrok"]):
        r = _run(*args)
        assert r.returncode == 2, r
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, r
        assert "'wrok'" in lines[0] and "default, work" in lines[0], r
        assert "demo" not in r.stdout


def test_auth_login_may_create_a_new_profile(isolated_home):
    r = run_with_env(
        cli_env(),
        *("--profile", "fresh", "auth", "login", "--no-verify"),
        stdin="fresh-key-123456\n",
        timeout=TIMEOUT,
    )
    assert r.returncode == 0, r
    s = load_settings(
        environ={"COMFYTUI_HOME": str(isolated_home)}, profile="fresh", keyring_lookup=False
    )
    assert s.api_key is not None and s.api_key.reveal() == "fresh-key-123456"


def test_unknown_keymap_id_refused_before_the_tui_starts(isolated_home):
    _write(isolated_home, '[keymap]\n"pane.refrsh" = "r"\n')
    r = _run()
    assert r.returncode == 2, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "keymap.pane.refrsh" in lines[0] and "pane.refresh" in lines[0], r
