"""Decode an output image and scale it to fit a panel of terminal cells (pure Pillow, no Textual).

Runs in a thread worker: the result is a small RGB image already at the pixel size the renderer
needs, so painting it on the UI thread is cheap. Every failure becomes an `ImageError` with a
one-line reason (truncated, not an image, too large), never an exception from Pillow.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, UnidentifiedImageError

from comfytui.errors import ImageError
from comfytui.terminal.protocol import Mode

# Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; a preview treats the warning
# level as the limit (and never more than 64 megapixels: a preview does not need more).
PREVIEW_PIXEL_LIMIT = 64 * 1024 * 1024
BACKGROUND = (24, 24, 24)
# `warnings.catch_warnings` is process-wide: header parsing (fast) is serialised so concurrent
# preview threads cannot restore each other's filters.
_OPEN_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class CellGeometry:
    """Pixels per terminal cell (textual-image asks the terminal once, else assumes 10x20)."""

    width: int = 10
    height: int = 20


@dataclass(frozen=True, slots=True)
class Preview:
    """A decoded image scaled for a renderer, and the cells it occupies."""

    image: Image.Image  # RGB, already at `pixel_size`
    cols: int
    rows: int
    source_size: tuple[int, int]
    format: str | None

    @property
    def pixel_size(self) -> tuple[int, int]:
        return self.image.size


def pixel_limit() -> int:
    limit = Image.MAX_IMAGE_PIXELS
    return PREVIEW_PIXEL_LIMIT if limit is None else min(int(limit), PREVIEW_PIXEL_LIMIT)


def fit_cells(
    source: tuple[int, int], max_cols: int, max_rows: int, cell: CellGeometry
) -> tuple[int, int]:
    """Largest cols x rows inside max_cols x max_rows that keeps the source aspect ratio."""
    width, height = source
    max_cols, max_rows = max(1, max_cols), max(1, max_rows)
    if width <= 0 or height <= 0:
        return 1, 1
    scale = min(max_cols * cell.width / width, max_rows * cell.height / height)
    cols = min(max_cols, max(1, round(width * scale / cell.width)))
    rows = min(max_rows, max(1, round(height * scale / cell.height)))
    return cols, rows


def target_pixels(cols: int, rows: int, mode: Mode, cell: CellGeometry) -> tuple[int, int]:
    """Pixel size the renderer draws `cols` x `rows` cells from."""
    if mode in ("halfcell", "pixels"):
        return cols, rows * 2
    if mode == "unicode":
        return cols, rows
    return cols * cell.width, rows * cell.height


def load_preview(
    source: str | Path | IO[bytes],
    max_cols: int,
    max_rows: int,
    *,
    mode: Mode = "halfcell",
    cell: CellGeometry | None = None,
) -> Preview:
    """Decode `source`, guard against bombs, flatten alpha and scale to fit the cells.

    Raises `ImageError` (one line) for anything that is not a usable image.
    """
    cell = cell or CellGeometry()
    try:
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(source)
        with opened as img:
            size = img.size
            if size[0] <= 0 or size[1] <= 0:
                raise ImageError("image has no pixels")
            if size[0] * size[1] > pixel_limit():
                raise ImageError(f"image too large to preview ({size[0]}×{size[1]} pixels)")
            cols, rows = fit_cells(size, max_cols, max_rows, cell)
            target = target_pixels(cols, rows, mode, cell)
            fmt = img.format
            if fmt == "JPEG":
                img.draft("RGB", target)  # decode at a reduced scale where the codec can
            img.load()
            frame = _flatten(img)
        scaled = frame.resize(target, Image.Resampling.BILINEAR, reducing_gap=2.0)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("image too large to preview (decompression-bomb guard)") from None
    except UnidentifiedImageError:
        raise ImageError("not an image (unknown format)") from None
    except FileNotFoundError:
        raise ImageError("saved file is missing") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ImageError(f"damaged image: {reason}") from None
    except MemoryError:
        raise ImageError("image too large to preview (out of memory)") from None
    return Preview(image=scaled, cols=cols, rows=rows, source_size=size, format=fmt)


def _flatten(img: Image.Image) -> Image.Image:
    """RGB copy of the first frame, transparent parts drawn on a dark background."""
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if not has_alpha:
        return img.convert("RGB")
    rgba = img.convert("RGBA")
    flat = Image.new("RGB", rgba.size, BACKGROUND)
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat
