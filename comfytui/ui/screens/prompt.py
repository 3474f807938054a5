"""Open a deployment or run by id: works on servers without listing routes, and offline."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet


class OpenByIdScreen(ModalScreen[tuple[str, str] | None]):
    """Ask for a kind (deployment/run) and an id; dismisses with `(kind, id)`."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", id="open.cancel")]

    def __init__(self, kind: str = "run") -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(id="open-box"):
            yield Label("Open by id")
            with Horizontal(id="open-kind"), RadioSet(id="open-kinds"):
                yield RadioButton("run", value=self.kind == "run", id="kind-run")
                yield RadioButton("deployment", value=self.kind != "run", id="kind-deployment")
            yield Input(placeholder="run id, deployment id or name", id="open-id")

    def on_mount(self) -> None:
        self.query_one("#open-id", Input).focus()

    @on(Input.Submitted, "#open-id")
    def _submit(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            return
        pressed = self.query_one(RadioSet).pressed_button
        kind = "deployment" if pressed is not None and pressed.id == "kind-deployment" else "run"
        self.dismiss((kind, value))

    def action_cancel(self) -> None:
        self.dismiss(None)
