"""Drawing a thumbnail in terminal cells, behind one small interface so the renderer can change.

`render_thumb(image, cols, rows)` gives a Rich renderable: half-blocks via rich-pixels (two
pixels per cell, works in every terminal and in tests), or, where start-up chose Kitty graphics,
a `KittyThumb` (ui/kittyimage.py: each picture and size sent to the terminal once). `ThumbView`
shows either; the gallery only calls `show_image`, `show_frames`, `show_text`.
"""

from __future__ import annotations

from typing import Any

from PIL import Image
from rich.console import RenderableType
from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static


def fit(size: tuple[int, int], cols: int, rows: int, scale: float | None = None) -> tuple[int, int]:
    """Pixel size (half-blocks: cols x 2*rows) of `size` fitted in the box, or at `scale`."""
    width, height = max(1, size[0]), max(1, size[1])
    if scale is None:
        scale = min(cols / width, rows * 2 / height)
    return max(1, min(cols, round(width * scale))), max(2, min(rows * 2, round(height * scale)))


def thumb_mode() -> str:
    """ "tgp" where start-up chose Kitty graphics (comfytui.terminal.protocol), else "halfcell"."""
    from comfytui.terminal.protocol import chosen

    decision = chosen()
    return "tgp" if decision is not None and decision.mode == "tgp" else "halfcell"


def render_thumb(
    image: Image.Image, cols: int, rows: int, scale: float | None = None
) -> RenderableType:
    """The picture fitted in cols x rows cells (`scale`: pixels per source pixel, half-blocks)."""
    if scale is None and thumb_mode() == "tgp":
        from comfytui.ui.kittyimage import KittyThumb
        from comfytui.ui.runs.preview import cell_geometry

        return KittyThumb.build(image, cols, rows, cell_geometry())
    from rich_pixels import HalfcellRenderer, Pixels

    small = image.resize(fit(image.size, cols, rows, scale), Image.Resampling.BILINEAR)
    return Pixels.from_image(small, renderer=HalfcellRenderer())


class ThumbView(Static):
    """A picture (or frames of an animation, or escaped text) in a fixed box of cells.

    Animations advance on a timer capped at `fps_cap`, which only runs while the widget is on
    the current screen and displayed (paused otherwise).
    """

    DEFAULT_CSS = "ThumbView { width: auto; height: auto; }"

    def __init__(self, cols: int, rows: int, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.cols, self.rows = cols, rows
        self._frames: list[RenderableType] = []
        self._frame = 0
        self._timer: Timer | None = None
        self.frames_shown = 0  # tests: the animation advanced

    def show_image(self, image: Image.Image | None, scale: float | None = None) -> None:
        self.stop()
        if image is None:
            self.update(Text("·", style="dim"))
        else:
            self.update(render_thumb(image, self.cols, self.rows, scale))

    def show_rendered(self, renderable: RenderableType) -> None:
        self.stop()
        self.update(renderable)

    def show_text(self, text: Text) -> None:
        self.stop()
        self.update(text)

    def show_frames(self, frames: list[RenderableType], delay: float) -> None:
        """Animate pre-rendered frames (made in a worker), one every `delay` seconds."""
        self.stop()
        if not frames:
            return
        self._frames, self._frame = frames, 0
        self.update(frames[0])
        if len(frames) > 1:
            self._timer = self.set_interval(max(delay, 0.1), self._advance)

    @property
    def animating(self) -> bool:
        return self._timer is not None

    def _advance(self) -> None:
        if not self._frames or not self.is_attached:
            return
        if not self.screen.is_current or not self.display or not self.region.area:
            return  # paused while not visible
        self._frame = (self._frame + 1) % len(self._frames)
        self.frames_shown += 1
        self.update(self._frames[self._frame])

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._frames = []
