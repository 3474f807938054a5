"""Output image preview: decode + scale + half-block render, against Pillow decoding alone.

For 512², 1024² and 2048² PNG outputs (photo-like: gradients plus noise) the preview path the run
view takes (`decode.load_preview` fitted to a 74x34-cell panel, then textual-image's half-cell
renderable drawn to segments) is timed against `Image.open(path).load()`. The ratio says what the
preview costs on top of the decode it cannot avoid. `image_naive_*` (no target) is textual-image
given the file path directly, which decodes and scales inside `render()` on the UI thread.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PIL import Image
from rich.console import Console

from benchmarks.common import Result, measure
from comfytui.ui.runs.decode import CellGeometry, load_preview

PANEL = (74, 34)  # the run view's output panel in a 120x40 terminal
TARGETS = {2048: 3.0}


def _sample(side: int, path: Path) -> None:
    """A photo-like PNG: smooth gradients plus noise (compresses like a real render)."""
    gradient = Image.linear_gradient("L").resize((side, side))
    noise = Image.effect_noise((side, side), 40)
    rgb = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.ROTATE_90)))
    rgb.save(path, "PNG", compress_level=6)


def _render(renderable: object, cols: int, rows: int, console: Console) -> int:
    options = console.options.update(width=cols, height=rows)
    return sum(1 for _ in console.render(renderable, options))


def run(quick: bool = False) -> list[Result]:
    from textual_image.renderable.halfcell import Image as Halfcell

    sides = [32, 64] if quick else [512, 1024, 2048]
    repeats = 2 if quick else 7
    console = Console(width=PANEL[0], height=PANEL[1], color_system="truecolor", file=None)
    cell = CellGeometry(10, 20)
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder:
        for side in sides:
            path = Path(folder) / f"out_{side}.png"
            _sample(side, path)

            def decode_only(path: Path = path) -> None:
                with Image.open(path) as img:
                    img.load()

            def preview(path: Path = path) -> None:
                shown = load_preview(path, *PANEL, mode="halfcell", cell=cell)
                _render(
                    Halfcell(shown.image, shown.cols, shown.rows), shown.cols, shown.rows, console
                )

            def naive(path: Path = path) -> None:
                _render(Halfcell(path, "auto", "auto"), PANEL[0], PANEL[1], console)

            base, _ = measure(decode_only, repeats)
            value, spread = measure(preview, repeats)
            results.append(
                Result(
                    f"image_preview_{side}",
                    value,
                    base,
                    "s",
                    TARGETS.get(side) if not quick else None,
                    spread,
                    note="decode+scale+halfcell render vs Pillow decode",
                )
            )
            naive_value, naive_spread = measure(naive, max(2, repeats // 2))
            results.append(
                Result(
                    f"image_naive_{side}",
                    naive_value,
                    base,
                    "s",
                    None,
                    naive_spread,
                    note="textual-image from the path (decode+scale in render)",
                )
            )
    return results


if __name__ == "__main__":
    for result in run():
        print(f"{result.name:22} {result.value * 1000:8.1f} ms  ratio {result.ratio:5.2f}")
