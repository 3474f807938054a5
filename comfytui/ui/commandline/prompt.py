"""The `:` prompt: one line at the bottom with completion (tab) and history (up/down).

A modal screen over whatever is showing; it dismisses with the line typed (or None on escape),
and the app runs it on the screen underneath (`dispatch.CommandRunner`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from comfytui.ui.commandline.history import CommandHistory
from comfytui.ui.commandline.parse import common_prefix, complete


class CommandPrompt(ModalScreen[str | None]):
    DEFAULT_CSS = """
    CommandPrompt { align: left bottom; background: $background 0%; }
    CommandPrompt > #command-box { height: auto; width: 100%; dock: bottom; }
    CommandPrompt #command-hints { height: auto; max-height: 4; color: $text-muted; }
    CommandPrompt #command-input { border: none; height: 1; padding: 0 1; }
    """
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="command.cancel"),
        Binding("tab", "complete", "Complete", priority=True, id="command.complete"),
        Binding("up", "history(-1)", "Older", priority=True, id="command.older"),
        Binding("down", "history(1)", "Newer", priority=True, id="command.newer"),
    ]

    def __init__(
        self,
        history: CommandHistory,
        aliases: Mapping[str, str] | None = None,
        arguments: Callable[[], Mapping[str, Iterable[str]]] | None = None,
        *,
        text: str = "",
    ) -> None:
        super().__init__()
        self.text = text
        self._finished = False
        self.history = history
        self.aliases = dict(aliases or {})
        self.arguments = arguments
        history.reset()

    def compose(self) -> ComposeResult:
        with Vertical(id="command-box"):
            yield Static("", id="command-hints")
            yield Input(placeholder="command (tab completes, :help lists them)", id="command-input")

    @property
    def input(self) -> Input:
        return self.query_one("#command-input", Input)

    def on_mount(self) -> None:
        self.query_one("#command-hints").display = False
        if self.text:
            self._set(self.text)
        self.set_focus(self.input)  # at once: keys typed right after `:` are already queued

    def _set(self, value: str) -> None:
        self.input.value = value
        self.input.cursor_position = len(value)

    def action_complete(self) -> None:
        arguments = self.arguments() if self.arguments is not None else None
        found = complete(self.input.value, self.aliases, arguments)
        hints = self.query_one("#command-hints", Static)
        if not found:
            hints.display = False
            self.app.bell()
            return
        if len(found) == 1:
            self._set(found[0] + " ")
            hints.display = False
            return
        prefix = common_prefix(found)
        if len(prefix) > len(self.input.value.strip()):
            self._set(prefix)
        hints.update(Text("  ".join(found[:40])))
        hints.display = True

    def action_history(self, step: int) -> None:
        line = self.history.older() if step < 0 else self.history.newer()
        if line is not None:
            self._set(line)

    def on_key(self, event: events.Key) -> None:
        # Keys typed right after `:` can reach the screen before the input has focus (a fast
        # typist, a paste, tmux send-keys): hand them to the input instead of losing them.
        if event.is_printable and event.character:
            event.stop()
            self.input.insert_text_at_cursor(event.character)
            self.set_focus(self.input)
        elif event.key == "enter":
            event.stop()
            self._done(self.input.value)

    @on(Input.Submitted, "#command-input")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self._done(event.value)

    def _done(self, value: str) -> None:
        if self._finished:
            return  # the type-ahead enter and the input's own submit: one command
        self._finished = True
        line = value.strip()
        if line:
            self.history.add(line)
        self.dismiss(line or None)

    def action_cancel(self) -> None:
        if not self._finished:
            self._finished = True
            self.dismiss(None)
