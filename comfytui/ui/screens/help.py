"""Help: the app's own keys of the screen underneath, generated from its active bindings.

Only keys comfytui declares are listed (binding ids from comfytui classes, plus Textual's palette
and ctrl+q), grouped as "this screen" and "everywhere"; a widget's internal keys (a table's
"Page Left", "Cursor right") are not. The list itself scrolls with the arrow, page, home and end
keys: the tables in it take no focus, the scrolling box does.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from comfytui.ui.keymap_ids import declared_ids

#: Textual's own app keys that are the app's keys too (the palette, quitting)
APP_ACTIONS = frozenset({"command_palette", "app.command_palette", "quit", "app.quit"})
DESCRIPTIONS = {"command_palette": "Command palette", "app.command_palette": "Command palette"}
EVERYWHERE = "Everywhere"
THIS_SCREEN = "This screen"


def own_ids(node: DOMNode) -> set[str]:
    """Binding ids declared by the comfytui classes `node` is made of (not inherited widgets')."""
    ids: set[str] = set()
    for cls in type(node).__mro__:
        ids |= declared_ids(cls)
    return ids


def binding_sections(screen: Screen) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(section, [(keys, description, binding id), ...]), ...]: this screen first."""
    app = screen.app
    rows: dict[tuple[str, str, str], list[str]] = {}
    owned: dict[int, set[str]] = {}
    for active in screen.active_bindings.values():
        binding, node = active.binding, active.node
        ids = owned.setdefault(id(node), own_ids(node))
        is_app = isinstance(node, App)
        if not (binding.id in ids or (is_app and binding.action in APP_ACTIONS)):
            continue
        section = EVERYWHERE if is_app else THIS_SCREEN
        description = DESCRIPTIONS.get(binding.action) or binding.description
        description = description or binding.action.replace("_", " ")
        ident = binding.id or ""
        rows.setdefault((section, description, ident), []).append(app.get_key_display(binding))
    sections: list[tuple[str, list[tuple[str, str, str]]]] = []
    for name in (THIS_SCREEN, EVERYWHERE):
        found = [
            (" ".join(keys), description, ident)
            for (section, description, ident), keys in rows.items()
            if section == name
        ]
        found.sort(key=lambda row: (row[2] == "", row[2] or row[1]))
        if found:
            sections.append((name, found))
    return sections


def binding_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, binding id) for every own key active on `screen`, deduplicated."""
    return [row for _, rows in binding_sections(screen) for row in rows]


def _table(table_id: str, columns: tuple[str, ...]) -> DataTable:
    table: DataTable = DataTable(cursor_type="none", show_cursor=False, id=table_id)
    table.can_focus = False  # the box scrolls; a focused table would take the arrow keys
    table.add_columns(*columns)
    return table


def command_table() -> DataTable:
    """Every `:` command with its aliases (user aliases come from config.toml [aliases])."""
    from comfytui.ui.commandline.parse import COMMANDS

    table = _table("help-commands", ("Command", "Aliases", "What it does"))
    for spec in COMMANDS:
        aliases = " ".join(f":{a}" for a in spec.aliases)
        table.add_row(Text(spec.title, style="bold"), Text(aliases), Text(spec.summary))
    return table


class HelpScroll(VerticalScroll):
    """The help list: up/down, page up/down, home/end scroll it (VerticalScroll's own keys)."""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.sections = binding_sections(under)
        self.rows = [row for _, rows in self.sections for row in rows]

    def compose(self) -> ComposeResult:
        with HelpScroll(id="help-box"):
            yield Static(
                Text("Keys (rebind by id in config.toml [keymap]; ↑↓ PgUp PgDn scroll)", "bold")
            )
            for number, (section, rows) in enumerate(self.sections):
                yield Static(Text(section, style="bold underline"), classes="help-section")
                table = _table(
                    "help-table" if number == 0 else f"help-table-{number}",
                    ("Key", "Action", "Binding id"),
                )
                table.add_class("help-keys")
                for keys, description, ident in rows:
                    table.add_row(
                        Text(keys, style="bold"), Text(description), Text(ident, style="dim")
                    )
                yield table
            yield Static(Text("Commands (: opens the prompt; tab completes, up/down: history)"))
            yield command_table()

    def on_mount(self) -> None:
        self.query_one(HelpScroll).focus()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
