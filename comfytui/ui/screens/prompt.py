"""Open by id (`o`): a run, deployment, workflow or machine by id, 6+ characters of it, or name.

What was typed is resolved here (`catalog.resolve_any`: the cache first, then the server), so the
box stays open with the text when it names nothing (the reason is shown under it), and an
ambiguous prefix lists its matches to choose from. Works on servers without listing routes
(a whole id is trusted) and offline (the cache).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from comfytui.errors import AmbiguousIdError, ComfyTuiError
from comfytui.sanitize import plain


class OpenByIdScreen(ModalScreen[tuple[str, str] | None]):
    """Ask for an id or name; dismisses with `(kind, full id)` once it names one item."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", id="open.cancel")]

    def __init__(self, kind: str = "run") -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(id="open-box"):
            yield Label("Open by id  (6+ characters of an id, or a deployment name)")
            with Horizontal(id="open-kind"), RadioSet(id="open-kinds"):
                yield RadioButton("run", value=self.kind == "run", id="kind-run")
                yield RadioButton("deployment", value=self.kind != "run", id="kind-deployment")
            yield Input(placeholder="run id, deployment id or name", id="open-id")
            yield Static("", id="open-message")
            yield OptionList(id="open-matches")

    def on_mount(self) -> None:
        self.query_one("#open-message", Static).display = False
        self.query_one("#open-matches", OptionList).display = False
        self.query_one("#open-id", Input).focus()

    @property
    def preferred_kind(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return "deployment" if pressed is not None and pressed.id == "kind-deployment" else "run"

    @on(Input.Submitted, "#open-id")
    def _submit(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            return
        session = getattr(self.app, "session", None)
        if session is None:
            self._say("still connecting; try again in a moment")
            return
        self._say("looking it up…", style="dim")
        self._resolve(session, value, self.preferred_kind)

    @work(exclusive=True, group="open-by-id", exit_on_error=False)
    async def _resolve(self, session: Any, value: str, prefer: str) -> None:
        try:
            target = await session.catalog.resolve_any(value, prefer=prefer)
        except AmbiguousIdError as exc:
            self._offer(exc)
            return
        except ComfyTuiError as exc:
            self._say(str(exc), style="bold red")
            return
        self.dismiss(target)

    def _say(self, text: str, style: str = "") -> None:
        message = self.query_one("#open-message", Static)
        message.update(Text(text, style=style))
        message.display = bool(text)

    def _offer(self, error: AmbiguousIdError) -> None:
        """The matches of an ambiguous prefix: enter (or a click) on one opens it."""
        matches = self.query_one("#open-matches", OptionList)
        matches.clear_options()
        for match in error.matches:
            kind, item_id = getattr(match, "kind", ""), getattr(match, "id", "")
            words = [w for w in (getattr(match, "label", ""), getattr(match, "detail", "")) if w]
            line = Text(f"{kind:<10} ", style="dim")
            line.append(item_id[:13], style="bold")
            line.append("  " + plain(" · ".join(words), 40))
            matches.add_option(Option(line, id=f"{kind}:{item_id}"))
        count = len(error.matches)
        self._say(f"{count} items match: choose one (up/down, enter) or type more", style="bold")
        matches.display = True
        matches.highlighted = 0
        matches.focus()

    @on(OptionList.OptionSelected, "#open-matches")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        kind, _, item_id = (event.option.id or "").partition(":")
        if item_id:
            self.dismiss((kind, item_id))

    def action_cancel(self) -> None:
        self.dismiss(None)
