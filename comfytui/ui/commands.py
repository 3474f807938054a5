"""Command palette (ctrl+p): context commands for the current screen and selection.

Command texts go through Textual's markup parser in the palette, so any server text in them
(a deployment name) is escaped first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from comfytui.errors import READONLY_HINT
from comfytui.ui.commandline.parse import COMMANDS, CommandSpec
from comfytui.ui.readonly import mutating, refusal_text

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
        yield (
            "Start a run on the focused item",
            app.action_start_run,
            "n: its deployment's run form (a choice when it has several, else a picker)",
        )
        for spec in COMMANDS:
            # every `:` command, runnable from here too (those needing an argument open the
            # prompt with the command typed)
            yield (
                f"{escape(spec.title)}  {spec.summary}",
                partial(_run_command, app, spec),
                f"command mode: {', '.join(':' + a for a in spec.aliases) or ':' + spec.name}",
            )
        yield "Open a run by id", app.action_open_by_id, "also opens a deployment by id or name"
        yield (
            "Open a deployment by id",
            partial(app.action_open_by_id, "deployment"),
            "id or name; works without a listing route",
        )
        yield "Toggle dark/light theme", app.action_toggle_theme, "ctrl+t"
        yield "Zoom the current pane", app.main.action_zoom, "z"
        yield "Show keys", app.action_help, "? or F1"

    def _entries(self) -> Iterator[tuple[str, Callable[[], object], str, str | None]]:
        """Commands with, in read-only mode, the reason the mutating ones are greyed."""
        app: ComfyTUI = self.app  # type: ignore[assignment]
        for text, command, help_text in self._commands():
            what = _mutating_entry(command) if app.readonly else None
            if what is None:
                yield text, command, help_text, None
            else:
                yield text, partial(_refuse, app, what), help_text, READONLY_HINT

    async def discover(self) -> Hits:
        for text, command, help_text, disabled in self._entries():
            display = Content.from_markup(text)
            if disabled:
                display, help_text = display.stylize("dim strike"), f"disabled: {disabled}"
            yield DiscoveryHit(display, command, text=text, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text, disabled in self._entries():
            score = matcher.match(text)
            if score > 0:
                display = matcher.highlight(text)
                if disabled:
                    display, help_text = display.stylize("dim strike"), f"disabled: {disabled}"
                yield Hit(score, display, command, text=text, help=help_text)


def _mutating_entry(command: Callable[[], object]) -> str | None:
    """What a palette command would change (read-only mode greys it), else None."""
    target = command.func if isinstance(command, partial) else command
    if target is _run_command and isinstance(command, partial):
        return command.args[1].mutating
    return mutating(getattr(target, "__name__", "").removeprefix("action_"))


def _refuse(app: ComfyTUI, what: str) -> None:
    app.notify(refusal_text(what), severity="warning", markup=False)


def _run_command(app: ComfyTUI, spec: CommandSpec) -> None:
    if spec.usage and not spec.usage.startswith("["):
        app.action_command_mode(f":{spec.name} ")  # needs an argument: let the user type it
    else:
        app.run_command(spec.name)
