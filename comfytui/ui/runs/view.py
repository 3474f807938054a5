"""Run view: status timeline, progress and outputs (stub; being filled in)."""

from __future__ import annotations

from textual.screen import Screen


class RunScreen(Screen[None]):
    """Watch one run and look at its outputs."""

    def __init__(self, run_id: str) -> None:
        super().__init__()
        self.run_id = run_id
