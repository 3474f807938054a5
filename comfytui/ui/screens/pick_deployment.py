"""Choose the deployment a new run uses: the focused workflow's (production first), or any.

A modal over the current screen: `enter` takes the highlighted deployment, `escape` cancels.
The full list (nothing focused maps to a deployment) has a filter line: typing narrows it by
name, environment or machine; the arrows move in the list while the filter has focus.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from comfytui.models import Deployment
from comfytui.sanitize import plain
from comfytui.ui.panes.deployments import ENV_STYLES


def option_text(deployment: Deployment, widths: tuple[int, int, int] = (0, 0, 0)) -> Text:
    """One row: name, environment, machine (padded to `widths` cells), version, short id."""
    text = Text()
    machine = deployment.machine_name or deployment.machine_id or ""
    cells = (
        (plain(deployment.name, 40), "bold"),
        (plain(deployment.environment, 16), ENV_STYLES.get(deployment.environment, "dim")),
        (plain(machine, 24), "dim"),
    )
    for (value, style), width in zip(cells, widths, strict=True):
        cell = Text(value, style=style)
        cell.pad_right(max(0, width - cell.cell_len))
        text.append_text(cell)
        text.append("  ")
    if deployment.version is not None:
        text.append(f"v{deployment.version}  ", style="dim")
    text.append(deployment.id[:8], style="dim")
    return text


def _widths(deployments: list[Deployment]) -> tuple[int, int, int]:
    rows = [
        (
            Text(plain(d.name, 40)).cell_len,
            Text(plain(d.environment, 16)).cell_len,
            Text(plain(d.machine_name or d.machine_id or "", 24)).cell_len,
        )
        for d in deployments
    ]
    if not rows:
        return (0, 0, 0)
    return (max(r[0] for r in rows), max(r[1] for r in rows), max(r[2] for r in rows))


class DeploymentPicker(ModalScreen[Deployment | None]):
    """Dismisses with the chosen deployment, or None."""

    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="pick.cancel"),
        Binding("down", "move(1)", "Down", show=False, id="pick.down"),
        Binding("up", "move(-1)", "Up", show=False, id="pick.up"),
    ]

    def __init__(self, deployments: list[Deployment], title: str, *, filter: bool = False) -> None:
        super().__init__()
        self.deployments = deployments
        self.title_text = title
        self.with_filter = filter
        self.shown: list[Deployment] = list(deployments)

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box"):
            yield Label(Text(self.title_text, style="bold"), id="pick-title")
            if self.with_filter:
                yield Input(placeholder="filter: name, environment, machine", id="pick-filter")
            yield OptionList(*self._options(), id="pick-list")
            yield Static(Text("enter opens its run form · escape cancels", style="dim"))

    def _options(self) -> list[Option]:
        widths = _widths(self.deployments)
        return [Option(option_text(d, widths), id=str(i)) for i, d in enumerate(self.shown)]

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0 if self.shown else None
        if self.with_filter:
            self.query_one("#pick-filter", Input).focus()
        else:
            options.focus()

    @property
    def highlighted(self) -> Deployment | None:
        index = self.query_one(OptionList).highlighted
        return self.shown[index] if index is not None and index < len(self.shown) else None

    @on(Input.Changed, "#pick-filter")
    def _filter(self, event: Input.Changed) -> None:
        words = event.value.casefold().split()
        self.shown = [d for d in self.deployments if all(w in _haystack(d) for w in words)]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options())
        options.highlighted = 0 if self.shown else None

    @on(Input.Submitted, "#pick-filter")
    def _submit_filter(self) -> None:
        self._choose(self.highlighted)

    @on(OptionList.OptionSelected, "#pick-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(self.shown[event.option_index])

    def _choose(self, deployment: Deployment | None) -> None:
        if deployment is not None:
            self.dismiss(deployment)

    def action_move(self, step: int) -> None:
        # reached from the filter line only: the list takes its own arrow keys when focused
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


def _haystack(deployment: Deployment) -> str:
    parts = (deployment.name, deployment.environment, deployment.machine_name, deployment.id)
    return " ".join(p for p in parts if p).casefold()
