"""Where the run screens' stylesheet lives (shipped inside the package)."""

from __future__ import annotations

from pathlib import Path

RUNS_CSS = str(Path(__file__).resolve().parents[2] / "styles" / "runs.tcss")
