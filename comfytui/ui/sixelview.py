"""A Sixel image encoded once, off the UI thread, and only written when Textual repaints it.

textual-image's Sixel widget encodes in `render_lines`, on the UI thread: 0.2-0.9 s for a
run-view-sized image on this machine, and three times while a run view opens or the window
resizes (each intermediate size), so the picture re-fitted seconds after a resize. Here the
preview's decode thread calls `encode(image)` on the image already scaled to its cells, and
`SixelView` only places that string: blank rows with the Sixel data on the last one (as
textual-image does, so Textual's line cache and the compositor see ordinary strips).
"""

from __future__ import annotations

from PIL import Image as PILImage
from rich.control import Control
from rich.segment import ControlType, Segment
from rich.style import Style
from textual.dom import NoScreen
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

_NULL = Style()
_NOOP = ((ControlType.CURSOR_FORWARD, 0),)  # keeps Rich from measuring or styling the data


def encode(image: PILImage.Image) -> str:
    """Sixel data for `image` (already at its pixel size). Thread-safe; pure CPU work."""
    from textual_image._sixel import image_to_sixels

    data = image_to_sixels(image.convert("RGB"))
    try:  # issue 15's colour fix (registers selected after definition), where present
        from comfytui.ui.sixelfix import select_after_define
    except ImportError:
        return data
    return select_after_define(data)


class SixelView(Widget, can_focus=False):
    """Draws ready Sixel data in exactly `cols` x `rows` cells; counts what it writes (tests)."""

    DEFAULT_CSS = "SixelView { width: auto; height: auto; }"

    def __init__(self, data: str, cols: int, rows: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.data = data
        self.cols, self.rows = cols, rows
        self.styles.width = cols
        self.styles.height = rows
        self.emitted = 0  # times the Sixel data was put in a frame

    def render_lines(self, crop: Region) -> list[Strip]:
        blank = [Strip.blank(crop.width)] * crop.height
        try:
            if not self.screen.is_active or not self.data:
                return blank
            visible = self.screen.find_widget(self).visible_region
        except (NoScreen, Exception):  # noqa: BLE001 - not on screen (yet): nothing to place
            return blank
        if crop != Region(0, 0, self.cols, self.rows) or visible.size != crop.size:
            return blank  # partly hidden: a clipped Sixel would draw outside its cells
        self.emitted += 1
        segments = [
            Segment(Control.move_to(visible.x, visible.y).segment.text, _NULL),
            Segment(self.data, _NULL, control=_NOOP),
            # back to where the last line's text would have left the cursor
            Segment(Control.move_to(visible.right, visible.bottom - 1).segment.text, _NULL),
        ]
        return [*blank[:-1], Strip(segments, cell_length=crop.width)]
