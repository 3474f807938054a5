"""Update a `Static` only when its text changed, and without a layout pass when its shape is kept.

The once-a-second tick (status bar age, a run's elapsed time) must rewrite only the cells that
changed: `Static.update` would otherwise repaint the widget (and, with its default
`layout=True`, reflow the screen, which repaints scrollbars and re-sends inline images) even
when the text is identical. `set_text` skips an identical text, and skips the layout when every
line keeps its width and still fits the widget, so only the widget's own cells are redrawn.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static


def _same(a: object, b: Text) -> bool:
    return isinstance(a, Text) and a == b and a.style == b.style


def shape(text: Text) -> tuple[int, ...]:
    """Cell width of each line of `text`."""
    return tuple(cell_len(line) for line in text.plain.split("\n"))


def set_text(widget: Static, text: Text | str) -> bool:
    """Show `text` in `widget`; returns whether anything was repainted."""
    if isinstance(text, str):
        text = Text(text)
    previous = widget.content
    if _same(previous, text):
        return False
    keeps_shape = (
        isinstance(previous, Text)
        and widget.is_mounted
        and shape(previous) == shape(text)
        and max(shape(text), default=0) <= widget.content_size.width
    )
    widget.update(text, layout=not keeps_shape)
    return True
