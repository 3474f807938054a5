"""Kitty graphics images (run-view previews, gallery thumbnails): each (picture, size) sent once.

Where start-up chose Kitty graphics (kitty >= 0.28, ghostty; `comfytui.terminal.protocol`), a
picture is a Kitty image with a virtual placement, shown by Unicode placeholder cells (the
way textual-image places its images). The picture is sent the first time a picture with its
content and size is drawn; afterwards, drawing it again (cursor moves, pages back and forth, a
GIF's next loop) writes only the placeholder text, a few bytes per cell, never the image.

`KittyThumb.build` runs in a worker (scale, PNG, digest); `__rich_console__` runs on the UI
thread while Textual renders a frame, so the image reaches the terminal before the frame that
shows it, through textual-image's `_send_tgp_message` (wrapped for tmux passthrough when
needed). `KittyImages` remembers what was sent (least recently used images are deleted from
the terminal past `limit`). Sixel thumbnails are not offered: a Sixel is re-sent whenever its
cells repaint, and a gallery repaints cards as the cursor moves, so Sixel terminals get
half-blocks here.
"""

from __future__ import annotations

import base64
import hashlib
import io
import random
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PIL import Image
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style

from comfytui.ui.runs.decode import CellGeometry, fit_cells

PLACEHOLDER = "\U0010eeee"
CHUNK = 4096
Send = Callable[..., None]


def _diacritics() -> list[int]:
    from textual_image.renderable.tgp import _NUMBER_TO_DIACRITIC

    return list(_NUMBER_TO_DIACRITIC)


def _textual_image_send(**kwargs: object) -> None:
    out = sys.__stdout__
    if out is None or not out.isatty():
        return  # headless (tests, a pipe): there is no terminal to hold images
    from textual_image.renderable import tgp

    tgp._send_tgp_message(**kwargs)  # looked up each time: the tmux wrapper may replace it


class KittyImages:
    """What this process has sent to the terminal: (digest, cols, rows) -> Kitty image id."""

    def __init__(self, send: Send | None = None, limit: int = 400) -> None:
        self.send = send or _textual_image_send
        self.limit = limit
        self._ids: OrderedDict[tuple[str, int, int], int] = OrderedDict()
        self._next = random.randint(1, 2**23)  # 24-bit ids: the placeholder colour holds them
        self._lock = threading.Lock()
        self.transmissions = 0  # images sent (tests, benchmarks)

    def ensure(self, thumb: KittyThumb) -> int:
        """The image id of `thumb`, sending the picture and its placement the first time."""
        key = (thumb.digest, thumb.cols, thumb.rows)
        with self._lock:
            image_id = self._ids.get(key)
            if image_id is not None:
                self._ids.move_to_end(key)
                return image_id
            image_id = self._next
            self._next = self._next % (2**24 - 1) + 1
            self._ids[key] = image_id
            evicted = []
            while len(self._ids) > self.limit:
                evicted.append(self._ids.popitem(last=False)[1])
        for old in evicted:
            self.send(a="d", d="I", i=old, q=2)
        data = thumb.payload
        while data:
            chunk, data = data[:CHUNK], data[CHUNK:]
            self.send(i=image_id, m=1 if data else 0, f=100, q=2, payload=chunk)
        self.send(a="p", i=image_id, c=thumb.cols, r=thumb.rows, U=1, q=2)
        self.transmissions += 1
        return image_id


#: the images of this process (one terminal)
IMAGES = KittyImages()


@dataclass(frozen=True, eq=False)
class KittyThumb:
    """A picture scaled to `cols` x `rows` cells, ready to send (PNG, base64) and to place."""

    digest: str
    payload: str
    cols: int
    rows: int
    images: KittyImages | None = None  # None: this process's `IMAGES`

    @classmethod
    def build(
        cls,
        image: Image.Image,
        cols: int,
        rows: int,
        cell: CellGeometry,
        images: KittyImages | None = None,
    ) -> KittyThumb:
        """Fit `image` in the box keeping its aspect ratio (pure Pillow: call from a worker)."""
        fit_cols, fit_rows = fit_cells(image.size, cols, rows, cell)
        target = (fit_cols * cell.width, fit_rows * cell.height)
        scaled = image.convert("RGB").resize(target, Image.Resampling.BILINEAR)
        buffer = io.BytesIO()
        scaled.save(buffer, "PNG", compress_level=1)
        digest = hashlib.blake2b(image.tobytes(), digest_size=16)
        digest.update(repr((image.size, image.mode)).encode())
        payload = base64.standard_b64encode(buffer.getvalue()).decode("ascii")
        return cls(digest.hexdigest(), payload, fit_cols, fit_rows, images)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        image_id = (self.images or IMAGES).ensure(self)
        marks = _diacritics()
        style = Style(
            color=f"rgb({(image_id >> 16) & 255},{(image_id >> 8) & 255},{image_id & 255})"
        )
        for row in range(self.rows):
            line = "".join(
                f"{PLACEHOLDER}{chr(marks[row])}{chr(marks[col])}" for col in range(self.cols)
            )
            yield Segment(line, style)
            if row < self.rows - 1:
                yield Segment.line()
