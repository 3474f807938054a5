"""Run form generated from a deployment's input specs (stub; being filled in)."""

from __future__ import annotations

from textual.screen import Screen

from comfytui.models import Deployment


class RunFormScreen(Screen[None]):
    """Fill a deployment's inputs and start a run."""

    def __init__(self, deployment: Deployment) -> None:
        super().__init__()
        self.deployment = deployment
