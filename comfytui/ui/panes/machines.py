"""Machines pane: name, status (coloured), type, GPU."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from rich.text import Text

from comfytui.models import Machine
from comfytui.ui.format import safe, status
from comfytui.ui.panes.base import Column
from comfytui.ui.panes.catalog import CatalogPane


class MachinesPane(CatalogPane[Machine]):
    KIND = "machines"
    TITLE = "3 Machines"
    NOUN = "machines"
    COLUMNS: ClassVar = (
        Column("name", "Name"),
        Column("status", "Status"),
        Column("gpu", "GPU"),
        Column("type", "Type"),
    )

    def cells(self, item: Machine, now: datetime) -> Sequence[Text]:
        return (
            safe(item.name, 20),
            status(item.status),
            safe(item.gpu, 6),
            safe(item.type, 24),
        )

    def open_item(self, item: Machine) -> None:
        from comfytui.ui.screens.details import MachineScreen

        self.app.push_screen(MachineScreen(item.id))
