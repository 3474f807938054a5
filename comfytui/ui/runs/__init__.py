"""Run form, run view and the background run watcher (issue 7).

`RunWatcher` is imported at start-up; the form and the view (Pillow, textual-image) load on
first use, when a run screen opens (`from comfytui.ui.runs import RunScreen` still works).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from comfytui.ui.runs.watcher import RunWatcher

if TYPE_CHECKING:
    from comfytui.ui.runs.form import RunFormScreen
    from comfytui.ui.runs.view import RunScreen

__all__ = ["RunFormScreen", "RunScreen", "RunWatcher"]

_LAZY = {"RunFormScreen": "comfytui.ui.runs.form", "RunScreen": "comfytui.ui.runs.view"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
