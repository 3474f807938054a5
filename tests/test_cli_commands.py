"""Every CLI command in a real subprocess against the emulator: output, JSON, exit codes, files.

Subprocesses are slow, so independent commands of a test start together (`_many`) and the
shared session emulator serves all tests but the one that stops its server.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from comfytui.settings import Secret
from tests.support_cli import cli_env

TIMEOUT = 60
ESC_NAME = "fox\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[31mtitle"


@dataclass
class Result:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def __str__(self) -> str:  # shown by pytest when an assertion fails
        head = f"comfytui {' '.join(self.args)} -> {self.code}"
        return f"{head}\n--out--\n{self.out}\n--err--\n{self.err}"


def _env(emu: Any | None, **extra: str | None) -> dict[str, str]:
    env = cli_env(emu)  # conftest already set COMFYTUI_HOME and the fail keyring backend
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _many(
    *commands: tuple[dict[str, str], list[str]] | tuple[dict[str, str], list[str], str],
) -> list[Result]:
    """Run `python -m comfytui ARGS` for each (env, args[, stdin]) at the same time."""
    procs = []
    for command in commands:
        env, args = command[0], command[1]
        stdin = command[2] if len(command) > 2 else ""
        proc = subprocess.Popen(
            [sys.executable, "-m", "comfytui", *args],
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        procs.append((proc, args, stdin))
    results = []
    for proc, args, stdin in procs:
        out, err = proc.communicate(stdin, timeout=TIMEOUT)
        results.append(Result(tuple(args), proc.returncode, out, err))
    return results


def _one(env: dict[str, str], *args: str, stdin: str = "") -> Result:
    return _many((env, list(args), stdin))[0]


def _no_escapes(*results: Result) -> None:
    for r in results:
        for text in (r.out, r.err):
            assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text, str(r)


def _no_traceback(*results: Result) -> None:
    for r in results:
        assert "Traceback" not in r.err, str(r)
        if r.code != 0:  # exactly one error line, the last one
            lines = r.err.strip().splitlines()
            assert lines and lines[-1].startswith("comfytui"), str(r)
            assert sum("error:" in line for line in lines) == 1, str(r)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ls_every_kind_as_table_and_json(emulator):
    env = _env(emulator)
    kinds = ("workflows", "deployments", "machines", "runs")
    results = _many(
        *[(env, ["ls", k]) for k in kinds],
        *[(env, ["ls", k, "--json"]) for k in kinds],
        (env, ["ls", "runs", "--limit", "3", "--json"]),
    )
    _no_traceback(*results)
    _no_escapes(*results)
    for r in results:
        assert r.code == 0, str(r)
        assert "demo" not in r.err
    tables = dict(zip(kinds, results[:4], strict=True))
    assert tables["deployments"].out.splitlines()[0].split()[:3] == ["ID", "NAME", "ENV"]
    assert "txt2img" in tables["deployments"].out and "broken" in tables["deployments"].out
    assert "gpu-a10g-prod" in tables["machines"].out
    for kind, r in zip(kinds, results[4:8], strict=True):
        data = r.json()
        assert data["schema"] == 1 and data["kind"] == kind and data["offline"] is False
        assert data["items"] and all(isinstance(i["id"], str) for i in data["items"])
    deployments = results[5].json()["items"]
    txt2img = next(d for d in deployments if d["name"] == "txt2img")
    assert {"prompt", "steps", "init_image"} <= {i["input_id"] for i in txt2img["inputs"]}
    assert len(results[8].json()["items"]) == 3


def test_show_every_kind(emulator):
    env = _env(emulator)
    listed = _many(
        *[(env, ["ls", k, "--json"]) for k in ("workflows", "deployments", "machines", "runs")]
    )
    ids = [r.json()["items"][0]["id"] for r in listed]
    kinds = ("workflow", "deployment", "machine", "run")
    results = _many(
        *[(env, ["show", k, i]) for k, i in zip(kinds, ids, strict=True)],
        *[(env, ["show", k, i, "--json"]) for k, i in zip(kinds, ids, strict=True)],
        (env, ["show", "deployment", "broken"]),
    )
    _no_traceback(*results)
    _no_escapes(*results)
    for r in results:
        assert r.code == 0, str(r)
    for r, i in zip(results[:4], ids, strict=True):
        assert i in r.out
    for r in results[4:8]:
        assert isinstance(r.json(), dict)
    assert results[5].json()["id"] == ids[1] and "inputs" in results[5].json()
    assert results[6].json()["id"] == ids[2]
    assert results[7].json()["id"] == ids[3] and "status" in results[7].json()
    assert "broken" in results[8].out and "INPUT" in results[8].out


def test_exit_codes(emulator, tmp_path):
    env = _env(emulator)
    bad_key = _env(emulator, COMFY_DEPLOY_API_KEY="wrong-key-0000000000")
    nowhere = _env(emulator, COMFY_DEPLOY_API_URL=f"http://127.0.0.1:{_free_port()}/api")
    debug = _env(emulator, COMFYTUI_DEBUG="1")
    not_png = tmp_path / "nothing.png"
    unknown = "00000000-0000-4000-8000-00000000dead"
    cases = [
        (bad_key, ["ls", "deployments"], 3),
        (nowhere, ["ls", "machines"], 4),
        (env, ["show", "run", unknown], 5),
        (env, ["show", "deployment", "no-such-deployment"], 5),
        (env, ["run", "txt2img", "-i", "steps=500"], 2),
        (env, ["run", "txt2img", "-i", "steps=many"], 2),
        (env, ["run", "txt2img", "-i", "nonsense=1"], 2),
        (env, ["run", "txt2img", "-i", f"init_image=@{not_png}"], 2),
        (env, ["run", "txt2img", "-i", "noequals"], 2),
        (env, ["ls", "pipelines"], 2),
        (env, ["run", "broken", "--wait", "--out", str(tmp_path / "b")], 1),
        (debug, ["show", "run", unknown], 5),
    ]
    results = _many(*[(e, a) for e, a, _ in cases])
    for (_, _, code), r in zip(cases, results, strict=True):
        assert r.code == code, str(r)
        assert r.err.strip(), str(r)
    _no_traceback(*results[:-1])
    assert "Traceback" in results[-1].err  # COMFYTUI_DEBUG=1
    assert "wrong-key-0000000000" not in results[0].out + results[0].err
    assert "steps" in results[4].err and "nonsense" in results[6].err
    assert results[4].out == results[5].out == results[6].out == ""  # nothing was started
    assert "failed" in results[10].err.splitlines()[-1]


def test_run_wait_saves_a_png_and_prints_id_and_paths(emulator, tmp_path):
    from PIL import Image

    env = _env(emulator)
    init = tmp_path / "init.png"
    Image.new("RGB", (8, 8), (200, 40, 10)).save(init)
    out = tmp_path / "x"
    plain, as_json, upload, no_wait = _many(
        (
            env,
            [
                "run",
                "txt2img",
                "-i",
                "prompt=a red fox",
                "-i",
                "steps=4",
                "--wait",
                "--out",
                str(out),
            ],
        ),
        (env, ["run", "webp-out", "--json", "--out", str(tmp_path / "j"), "--timeout", "50"]),
        (env, ["run", "txt2img", "-i", f"init_image=@{init}", "--wait", "--out", str(out)]),
        (env, ["run", "txt2img", "--json"]),
    )
    _no_traceback(plain, as_json, upload, no_wait)
    for r in (plain, as_json, upload, no_wait):
        assert r.code == 0, str(r)
    lines = plain.out.splitlines()
    run_id, paths = lines[0], [Path(p) for p in lines[1:]]
    assert run_id and paths and all(p.parent == out.resolve() for p in paths)
    with Image.open(paths[0]) as img:
        img.load()
        assert img.format == "PNG" and img.width > 0
    data = as_json.json()
    assert data["schema"] == 1 and data["run"]["status"] == "success"
    saved = data["saved"]
    assert saved and all(Path(s["path"]).is_file() and s["sha256"] for s in saved)
    with Image.open(saved[0]["path"]) as img:
        assert img.format == "WEBP"
    assert "uploaded" in upload.err or "upload" in upload.err
    queued = no_wait.json()
    assert queued["run"]["id"] and queued["saved"] == []
    shown = _one(env, "show", "run", run_id, "--json").json()
    assert shown["inputs"].get("prompt") == "a red fox"


def test_cancel_and_workflow_push_with_escapes(emulator, tmp_path):
    env = _env(emulator)
    runs = _one(env, "ls", "runs", "--json").json()["items"]
    running = next(r["id"] for r in runs if r["status"] in ("running", "queued", "started"))
    api = {
        "1": {
            "class_type": "ComfyUIDeployExternalText",
            "inputs": {"input_id": "prompt", "default_value": "x"},
        },
        "2": {"class_type": "KSampler", "inputs": {}},
    }
    wf = tmp_path / "wf.json"
    wf.write_text(json.dumps(api))
    ui = tmp_path / "graph.json"
    ui.write_text(json.dumps({"nodes": [], "links": []}))
    cancel, cancel_missing, push, push_ui, push_bad = _many(
        (env, ["cancel", running]),
        (env, ["cancel", "00000000-0000-4000-8000-00000000dead"]),
        (env, ["workflow", "push", str(wf), "--name", ESC_NAME, "--json"]),
        (env, ["workflow", "push", str(wf), "--name", "plain-name", "--ui", str(ui)]),
        (env, ["workflow", "push", str(ui), "--name", "graph-only"]),
    )
    _no_traceback(cancel, cancel_missing, push, push_ui, push_bad)
    assert cancel.code == 0 and running in cancel.out, str(cancel)
    assert cancel_missing.code == 5, str(cancel_missing)
    assert push.code == 0 and push.json()["version"] >= 1, str(push)
    assert push_ui.code == 0 and "version" in push_ui.out, str(push_ui)
    assert push_bad.code == 2 and "API" in push_bad.err, str(push_bad)
    table, as_json, shown = _many(
        (env, ["ls", "workflows"]),
        (env, ["ls", "workflows", "--json"]),
        (env, ["show", "workflow", push.json()["workflow_id"]]),
    )
    _no_escapes(table, as_json, shown)
    assert "foxtitle" in table.out and "pwned" not in table.out, str(table)
    assert "foxtitle" in shown.out
    assert ESC_NAME in [w["name"] for w in as_json.json()["items"]]  # JSON keeps exact data
    assert "\\u001b" in as_json.out


def test_ls_offline_after_the_server_stopped(emulator_factory):
    emu = emulator_factory()
    env = _env(emu)
    first = [_one(env, "ls", "deployments"), _one(env, "ls", "runs")]
    assert all(r.code == 0 for r in first), [str(r) for r in first]
    emu.stop()
    offline, offline_json, online = _many(
        (env, ["ls", "deployments", "--offline"]),
        (env, ["ls", "runs", "--offline", "--json"]),
        (env, ["ls", "deployments"]),
    )
    _no_traceback(offline, offline_json, online)
    assert offline.code == 0 and "txt2img" in offline.out and "offline" in offline.err
    data = offline_json.json()
    assert offline_json.code == 0 and data["offline"] is True and data["items"]
    assert data["last_sync"]
    assert online.code == 4 and online.out == ""


def test_demo_mode_without_a_key(tmp_path):
    r = _one(_env(None, COMFY_DEPLOY_API_KEY=None, COMFY_DEPLOY_API_URL=None), "ls", "deployments")
    assert r.code == 0, str(r)
    assert "demo: local emulator" in r.err and "txt2img" in r.out


@pytest.mark.parametrize("backend", ["file", "keyring"])
def test_auth_round_trip_never_prints_the_key(emulator, tmp_path, backend):
    home = tmp_path / "auth-home"
    extra = {"COMFYTUI_HOME": str(home), "COMFY_DEPLOY_API_KEY": None}
    if backend == "keyring":
        extra |= {
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            "XDG_DATA_HOME": str(tmp_path / "xdg"),
        }
    env = _env(emulator, **extra)
    key = emulator.api_key
    config = home / "config" / "config.toml"

    bad = _one(env, "auth", "login", stdin="wrong-key-0000000000\n")
    assert bad.code == 3, str(bad)
    assert not config.exists() or "wrong-key" not in config.read_text()
    login = _one(env, "auth", "login", stdin=key + "\n")
    assert login.code == 0, str(login)
    if backend == "file":
        assert stat.S_IMODE(config.stat().st_mode) == 0o600
        assert key in config.read_text()
    else:
        assert "keyring" in login.out
        assert not config.exists() or key not in config.read_text()
        stored = (tmp_path / "xdg" / "python_keyring" / "keyring_pass.cfg").read_text()
        assert base64.b64encode(key.encode()).decode() in "".join(stored.split())
    status, status_json, listed = _many(
        (env, ["auth", "status"]), (env, ["auth", "status", "--json"]), (env, ["ls", "machines"])
    )
    assert status.code == 0 and Secret(key).masked() in status.out, str(status)
    host = emulator.api_url.split("//")[1].split("/")[0]
    assert host in status.out
    info = status_json.json()
    assert info["logged_in"] is True and info["api_host"] == host
    assert info["key_source"] == ("config" if backend == "file" else "keyring")
    assert listed.code == 0 and "demo" not in listed.err, str(listed)
    logout = _one(env, "auth", "logout")
    after = _one(env, "auth", "status", "--json")
    assert logout.code == 0 and after.code == 3 and after.json()["logged_in"] is False
    for r in (bad, login, status, status_json, listed, logout, after):
        assert key not in r.out + r.err, str(r)
    _no_traceback(bad, login, status, status_json, listed, logout)


def test_progress_bar_when_stderr_is_a_terminal(emulator, tmp_path):
    import pty
    import threading

    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.Popen(
        [sys.executable, "-m", "comfytui", "run", "txt2img", "--out", str(tmp_path / "o")],
        env=_env(emulator, COLUMNS="100"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        text=True,
    )
    out, _ = proc.communicate(timeout=TIMEOUT)
    os.close(slave)
    reader.join(timeout=5)
    os.close(master)
    err = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, err
    assert "\r[" in err and "] 100%" in err and "success" in err
    assert "\r" not in out and len(out.splitlines()) == 2  # run id, one path


def test_timeout_leaves_the_run_and_cancel_stops_it(emulator):
    import httpx

    httpx.post(f"{emulator.base_url}/_emulator/config", json={"speed": 0.01}).raise_for_status()
    env = _env(emulator)
    timed_out = _one(env, "run", "txt2img", "--timeout", "1", "--json")
    assert timed_out.code == 1, str(timed_out)
    run = timed_out.json()["run"]
    assert run["status"] not in ("success", "failed", "cancelled")
    assert "did not finish within 1s" in timed_out.err and "comfytui cancel" in timed_out.err
    cancel = _one(env, "cancel", run["id"], "--json")
    assert cancel.code == 0 and cancel.json()["run"]["status"] == "cancelled", str(cancel)
    again = _one(env, "cancel", run["id"])
    assert again.code == 0 and "already ended cancelled" in again.err, str(again)


def test_selfhost_server_without_listings(emulator_factory, tmp_path):
    emu = emulator_factory(dialect="selfhost")
    env = _env(emu)
    txt2img = next(
        d_id
        for d_id, d in emu.state.deployments.items()
        if d["environment"] == "production"
        and emu.state.workflows[d["workflow_id"]]["name"] == "txt2img"
    )
    listed, ran = _many(
        (env, ["ls", "deployments"]),
        (env, ["run", txt2img, "-i", "prompt=a red fox", "--out", str(tmp_path / "o")]),
    )
    _no_traceback(listed, ran)
    assert listed.code == 5 and "deployments" in listed.err, str(listed)
    assert ran.code == 0 and len(ran.out.splitlines()) >= 2, str(ran)
