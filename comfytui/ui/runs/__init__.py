"""Run form, run view and the background run watcher (issue 7)."""

from __future__ import annotations

from comfytui.ui.runs.form import RunFormScreen
from comfytui.ui.runs.view import RunScreen
from comfytui.ui.runs.watcher import RunWatcher

__all__ = ["RunFormScreen", "RunScreen", "RunWatcher"]
