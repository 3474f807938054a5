"""What the quick commands import, checked in a fresh interpreter so it cannot regress.

`ls --offline` / `show --offline` read the cache only: no HTTP stack (httpx, httpcore, ssl), no
rich (httpx's optional CLI pulls it in), no Textual. `-h` and `--version` import no command module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("httpx", "httpcore", "ssl", "_ssl", "rich", "textual", "keyring", "pydantic")
COMMAND_MODULES = ("comfytui.cli.commands_", "comfytui.services", "asyncio")

PROBE = """
import json, sys
from comfytui.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # -h and --version exit inside argparse
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.__stderr__)
"""


def _modules(tmp_path, *argv: str) -> tuple[int, set[str]]:
    env = dict(os.environ, COMFYTUI_HOME=str(tmp_path), COMFY_DEPLOY_API_KEY="arch-test-key")
    env.pop("COMFY_DEPLOY_API_URL", None)
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


@pytest.mark.parametrize("argv", [["-h"], ["--version"]], ids=" ".join)
def test_help_and_version_import_no_command_module(tmp_path, argv):
    code, modules = _modules(tmp_path, *argv)
    assert code == 0
    assert _loaded(modules, COMMAND_MODULES + HEAVY) == []
