"""Command palette (ctrl+p): context commands for the current screen and selection.

Command texts go through Textual's markup parser in the palette, so any server text in them
(a deployment name) is escaped first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from comfytui.sanitize import plain

if TYPE_CHECKING:
    from comfytui.ui.app import ComfyTUI

PANE_NAMES = ("Workflows", "Deployments", "Machines", "Runs")


class ComfyCommands(Provider):
    """Go to a pane, refresh, start a run on the selected deployment, open by id, theme, help."""

    def _commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        app: ComfyTUI = self.app  # type: ignore[assignment]
        for index, name in enumerate(PANE_NAMES):
            yield f"Go to {name}", partial(app.action_show_pane, index), f"key {index + 1}"
        yield "Open the gallery", app.action_gallery, "key 5 or G: every saved output"
        yield "Refresh all panes", app.action_refresh, "reload everything from the server"
        deployment = app.selected_deployment() if app.is_mounted else None
        if deployment is not None:
            label = escape(plain(deployment.name, 40))
            yield f"Start a run on {label}", app.action_start_run, "open the run form"
        yield "Open a run by id", app.action_open_by_id, "also opens a deployment by id or name"
        yield (
            "Open a deployment by id",
            partial(app.action_open_by_id, "deployment"),
            "id or name; works without a listing route",
        )
        yield "Toggle dark/light theme", app.action_toggle_theme, "ctrl+t"
        yield "Zoom the current pane", app.main.action_zoom, "z"
        yield "Show keys", app.action_help, "? or F1"

    async def discover(self) -> Hits:
        for text, command, help_text in self._commands():
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=help_text)
