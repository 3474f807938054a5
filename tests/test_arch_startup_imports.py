"""What the quick commands import, checked in a fresh interpreter so it cannot regress.

`ls --offline` / `show --offline` read the cache only: no HTTP stack (httpx, httpcore, ssl), no
rich (httpx's optional CLI pulls it in), no Textual, nor what only other commands need (the sweep,
run and log services, uuid, mimetypes, tempfile, hashlib/OpenSSL; platformdirs when COMFYTUI_HOME
is set). `show run ID` online reads a plainly typed run body without pydantic. `-h` and
`--version` import no command module.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest

HEAVY = ("httpx", "httpcore", "ssl", "_ssl", "rich", "textual", "keyring", "pydantic")
COMMAND_MODULES = ("comfytui.cli.commands_", "comfytui.services", "asyncio")
#: cut from `ls` / `show` (issue 19): each cost 3-12 ms at every start
NOT_FOR_READING = (
    "comfytui.services.sweeps",
    "comfytui.services.sweep_plan",
    "comfytui.services.runs",
    "comfytui.services.logs",
    "comfytui.services.outputs",
    "uuid",
    "mimetypes",
    "tempfile",
    "hashlib",
    "_hashlib",
    "platformdirs",
    "shutil",  # argparse's help formatter imports it unless told the width (cli/main._Width)
)

PROBE = """
import json, sys
from comfytui.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # -h and --version exit inside argparse
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.__stderr__)
"""


def _modules(tmp_path, *argv: str, **extra: str) -> tuple[int, set[str]]:
    env = dict(os.environ, COMFYTUI_HOME=str(tmp_path), COMFY_DEPLOY_API_KEY="arch-test-key")
    env.pop("COMFY_DEPLOY_API_URL", None)
    env.update(extra)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    last = proc.stderr.strip().splitlines()[-1]
    data = json.loads(last)
    return data["code"], set(data["modules"])


async def _queue_one_run(emu) -> str:
    from comfytui.api import ComfyDeployClient

    async with ComfyDeployClient(emu.api_url, emu.api_key, dialect="v2") as client:
        dep = next(d.id for d in await client.list_deployments() if d.name == "txt2img")
        return await client.queue_run(dep, {"prompt": "arch"})


def _loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    def hit(name: str, prefix: str) -> bool:
        if prefix.endswith("_"):  # a family of modules: comfytui.cli.commands_*
            return name.startswith(prefix)
        return name == prefix or name.startswith(prefix + ".")

    return sorted(m for m in modules if any(hit(m, p) for p in prefixes))


@pytest.mark.parametrize(
    "argv",
    [
        ["ls", "deployments", "--offline"],
        ["ls", "runs", "--offline", "--json"],
        ["show", "run", "0123456789", "--offline"],
        ["show", "deployment", "nothing", "--offline", "--json"],
    ],
    ids=" ".join,
)
def test_offline_commands_import_no_http_stack(tmp_path, argv):
    code, modules = _modules(tmp_path, *argv)
    assert code in (0, 5)  # listed, or "not in the local cache" for the unknown ids
    assert _loaded(modules, HEAVY) == []
    assert "comfytui.api.client" not in modules
    assert _loaded(modules, NOT_FOR_READING) == []


def test_show_run_online_reads_the_run_without_pydantic(tmp_path, emulator):
    run_id = asyncio.run(_queue_one_run(emulator))
    code, modules = _modules(
        tmp_path,
        "show",
        "run",
        run_id,
        "--json",
        COMFY_DEPLOY_API_KEY=emulator.api_key,
        COMFY_DEPLOY_API_URL=emulator.api_url,
    )
    assert code == 0
    assert "comfytui.api.client" in modules  # it did go to the server
    # (wire_v2 is registered lazily in sys.modules; run, it would import pydantic)
    assert _loaded(modules, ("pydantic", "pydantic_core", "comfytui.api.wire")) == []
    assert _loaded(modules, NOT_FOR_READING[:5]) == []  # the services; httpx needs the rest


@pytest.mark.parametrize("argv", [["-h"], ["--version"]], ids=" ".join)
def test_help_and_version_import_no_command_module(tmp_path, argv):
    code, modules = _modules(tmp_path, *argv)
    assert code == 0
    assert _loaded(modules, COMMAND_MODULES + HEAVY) == []
    assert "shutil" not in modules


def test_ls_offline_reads_the_cache_without_an_event_loop(tmp_path):
    """Once the cache file knows the server, `ls KIND --offline` reads it synchronously
    (cache/reader.py): no asyncio, no aiosqlite, not even the async Cache module."""
    first, _ = _modules(tmp_path, "ls", "deployments", "--offline")  # creates the file
    assert first == 0
    for argv in (["ls", "deployments", "--offline"], ["ls", "runs", "--offline", "--json"]):
        code, modules = _modules(tmp_path, *argv)
        assert code == 0
        assert "comfytui.cache.reader" in modules  # the sync path did serve it
        assert _loaded(modules, ("asyncio", "aiosqlite", "comfytui.cache.repository")) == []
