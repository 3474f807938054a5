"""The run form's input box for a deployment whose inputs cannot be known (self-hosted).

One `NAME=VALUE` per line, sent as typed (as the CLI's `-i` does for such a server): the
services check nothing they cannot know, so the values go to the server unchanged.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from comfytui.models import Deployment
from comfytui.services.assignments import build_values, split_assignments
from comfytui.ui.runs.fields import text_editor

DRAFT_KEY = "\0free"  # the box's text in a form draft (no input id can be this)


class FreeInputs(Vertical):
    """A text box of `NAME=VALUE` lines."""

    DEFAULT_CSS = """
    FreeInputs { height: auto; }
    FreeInputs TextArea { height: 6; }
    FreeInputs .free-help { color: $text-muted; }
    """

    def __init__(self, text: str = "") -> None:
        super().__init__(id="free-inputs")
        self.editor = text_editor(text)

    def compose(self) -> ComposeResult:
        yield Label(Text("inputs unknown: values are sent as typed", style="bold yellow"))
        yield self.editor
        yield Static(
            Text(
                "One NAME=VALUE per line (e.g. prompt=a red fox). This server cannot list the "
                "deployment's inputs; nothing is checked before sending.",
            ),
            classes="free-help",
        )

    def raw(self) -> str:
        return self.editor.text

    def values(self, deployment: Deployment) -> dict[str, Any]:
        """The typed lines as inputs; an InputError names the first bad line."""
        lines = [line.strip() for line in self.raw().splitlines() if line.strip()]
        return build_values(deployment, split_assignments(lines, flag="each line"))
