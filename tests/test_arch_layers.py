"""Architecture checks: the layers import only downwards."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "comfytui"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(folder: str = "") -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def test_textual_only_imported_in_ui():
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if "ui" not in p.relative_to(PACKAGE).parts[:1]
        and any(n == "textual" or n.startswith("textual.") for n in _imports(p))
    ]
    assert offenders == []


def test_emulator_does_not_import_client_cache_or_services():
    forbidden = ("comfytui.api", "comfytui.cache", "comfytui.services", "comfytui.ui")
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in _modules("emulator")
        if any(n.startswith(forbidden) for n in _imports(p))
    ]
    assert _modules("emulator"), "the emulator package has modules"
    assert offenders == []


def test_api_and_cache_do_not_import_upper_layers():
    forbidden = ("comfytui.services", "comfytui.ui", "comfytui.cli")
    for folder in ("api", "cache"):
        offenders = [
            str(p.relative_to(PACKAGE))
            for p in _modules(folder)
            if any(n.startswith(forbidden) for n in _imports(p))
        ]
        assert offenders == [], folder


def test_core_import_does_not_load_textual():
    code = (
        "import sys, comfytui.models, comfytui.errors, comfytui.settings, comfytui.locations\n"
        "import comfytui.api, comfytui.cache, comfytui.services\n"
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
