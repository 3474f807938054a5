"""Change one DataTable cell and repaint that cell only.

`DataTable.update_cell` repaints the whole table (every visible row is drawn again and sent to
the terminal). The once-a-second tick of relative times ("34 s ago") changes a few cells;
`set_cell` stores the new value the way `update_cell` does and asks for a repaint of that
cell's region alone. Identical values do nothing.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Text) and isinstance(b, Text):
        return a.plain == b.plain and a.style == b.style and a.spans == b.spans
    return a == b


def set_cell(table: DataTable, row_key: Any, column_key: Any, value: Any) -> bool:
    """Put `value` in the cell; returns whether it changed (and was repainted)."""
    try:
        row = table.get_row_index(row_key)
        column = table.get_column_index(column_key)
    except Exception:  # noqa: BLE001 - the row went away meanwhile: nothing to tick
        return False
    coordinate = Coordinate(row, column)
    if _same(table.get_cell_at(coordinate), value):
        return False
    data = getattr(table, "_data", None)
    keys = table.coordinate_to_cell_key(coordinate)
    if (
        not isinstance(data, dict)
        or keys.row_key not in data
        or not hasattr(table, "_update_count")
    ):
        table.update_cell(row_key, column_key, value)  # a Textual without these internals
        return True
    data[keys.row_key][keys.column_key] = value
    table._update_count += 1  # the row render caches are keyed on it
    table.refresh_coordinate(coordinate)
    return True
