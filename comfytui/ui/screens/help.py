"""Help: every key of the screen underneath, generated from its active bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static


def binding_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, binding id) for every binding active on `screen`, deduplicated."""
    rows: dict[tuple[str, str], list[str]] = {}
    app = screen.app
    for key, active in screen.active_bindings.items():
        binding = active.binding
        description = binding.description or binding.action.replace("_", " ")
        ident = binding.id or ""
        rows.setdefault((description, ident), []).append(app.get_key_display(binding))
        del key
    return sorted(
        ((" ".join(keys), description, ident) for (description, ident), keys in rows.items()),
        key=lambda row: (row[2] == "", row[2] or row[1]),
    )


def command_table() -> DataTable:
    """Every `:` command with its aliases (user aliases come from config.toml [aliases])."""
    from comfytui.ui.commandline.parse import COMMANDS

    table: DataTable = DataTable(cursor_type="row", id="help-commands")
    table.add_columns("Command", "Aliases", "What it does")
    for spec in COMMANDS:
        aliases = " ".join(f":{a}" for a in spec.aliases)
        table.add_row(Text(spec.title, style="bold"), Text(aliases), Text(spec.summary))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.rows = binding_rows(under)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("Keys (rebind by id in config.toml [keymap])", style="bold"))
            table: DataTable = DataTable(cursor_type="row", id="help-table")
            table.add_columns("Key", "Action", "Binding id")
            for keys, description, ident in self.rows:
                table.add_row(Text(keys, style="bold"), Text(description), Text(ident, style="dim"))
            yield table
            yield Static(Text("Commands (: opens the prompt; tab completes, up/down: history)"))
            yield command_table()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
