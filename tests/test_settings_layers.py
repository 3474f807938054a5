"""Settings layering (defaults < config.toml < env < flags), profiles, and the key in the file."""

from __future__ import annotations

import stat
import tomllib

import pytest

from comfytui.credentials import forget_key, set_config_value, store_key
from comfytui.errors import ConfigError
from comfytui.locations import locations
from comfytui.settings import DEFAULT_API_URL, Secret, load_settings


def _write_config(home, text: str):
    path = locations({"COMFYTUI_HOME": str(home)}).config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_anything(isolated_home):
    s = load_settings(environ={"COMFYTUI_HOME": str(isolated_home)})
    assert s.api_url == DEFAULT_API_URL
    assert s.api_key is None and s.demo and s.key_source == "none"
    assert s.profile == "default"


def test_home_moves_all_three_folders(tmp_path):
    locs = locations({"COMFYTUI_HOME": str(tmp_path / "h")})
    assert locs.config_dir == tmp_path / "h" / "config"
    assert locs.cache_dir == tmp_path / "h" / "cache"
    assert locs.data_dir == tmp_path / "h" / "data"
    assert not (tmp_path / "h").exists()  # nothing is created by asking


def test_config_then_env_then_flag(isolated_home):
    _write_config(isolated_home, 'api_url = "http://config/api"\napi_key = "config-key-123456"\n')
    env = {"COMFYTUI_HOME": str(isolated_home)}
    s = load_settings(environ=env)
    assert s.api_url == "http://config/api" and s.key_source == "config"
    env |= {"COMFY_DEPLOY_API_URL": "http://env/api", "COMFY_DEPLOY_API_KEY": " env-key-1234567 "}
    s = load_settings(environ=env)
    assert s.api_url == "http://env/api"
    assert s.api_key == Secret("env-key-1234567") and s.key_source == "env"
    s = load_settings(environ=env, api_url="http://flag/api")
    assert s.api_url == "http://flag/api"


def test_profiles_select_their_table(isolated_home):
    _write_config(
        isolated_home,
        'api_url = "http://main/api"\nread_timeout = 7\n\n'
        '[profiles.work]\napi_url = "http://work/api"\napi_key = "work-key-0123456"\n',
    )
    env = {"COMFYTUI_HOME": str(isolated_home)}
    default = load_settings(environ=env)
    work = load_settings(environ=env, profile="work")
    assert default.api_url == "http://main/api" and default.api_key is None
    assert work.api_url == "http://work/api" and work.api_key == Secret("work-key-0123456")
    assert work.read_timeout == 7.0  # top-level values are the base of every profile


def test_bad_toml_is_a_config_error(isolated_home):
    _write_config(isolated_home, "api_url = \n")
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"COMFYTUI_HOME": str(isolated_home)})
    assert info.value.exit_code == 2 and "\n" not in str(info.value)


def test_secret_never_shows_itself():
    key = Secret("sk_live_abcdefghijklmnop")
    assert "abcdefgh" not in repr(key) + str(key) + f"{key}" + f"{key!r}"
    assert key.masked() == "sk_l…mnop"
    assert Secret("short").masked() == "****"


def test_set_config_value_keeps_comments_and_other_tables(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('# mine\ntheme = "nord"\n\n[keymap]\nquit = "q"\n\n[profiles.work]\nx = 1\n')
    set_config_value(path, "default", "api_key", 'k"1\\')
    set_config_value(path, "work", "api_key", "k2")
    set_config_value(path, "home", "api_key", "k3")
    text = path.read_text()
    data = tomllib.loads(text)
    assert text.startswith("# mine\n")
    assert data["api_key"] == 'k"1\\' and data["keymap"] == {"quit": "q"}
    assert data["profiles"] == {"work": {"x": 1, "api_key": "k2"}, "home": {"api_key": "k3"}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set_config_value(path, "default", "api_key", None)
    assert not set_config_value(path, "default", "api_key", None)
    assert "api_key" not in tomllib.loads(path.read_text())


def test_store_key_falls_back_to_a_0600_file_and_forget_removes_it(isolated_home):
    # conftest selects keyring's fail backend: no keyring, so the file is used
    env = {"COMFYTUI_HOME": str(isolated_home)}
    config = locations(env).config_file
    where = store_key(config, "default", "file-key-abcdef123")
    assert str(config) in where
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    s = load_settings(environ=env)
    assert s.api_key == Secret("file-key-abcdef123") and s.key_source == "config"
    assert forget_key(config, "default") == [str(config)]
    assert load_settings(environ=env).api_key is None
    assert forget_key(config, "default") == []


def test_existing_world_readable_config_becomes_private(isolated_home):
    config = _write_config(isolated_home, 'theme = "nord"\n')
    config.chmod(0o644)
    store_key(config, "work", "file-key-abcdef123")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
