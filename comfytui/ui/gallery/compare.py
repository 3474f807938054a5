"""Compare 2-4 marked outputs side by side at one scale, the inputs that differ under each.

"Same scale": every picture is drawn with the one factor that fits the largest of them in its
column, so a 512 px output looks twice the size of a 256 px one. GIFs animate (frames decoded
in a worker, capped frame rate, paused when the screen is not shown).
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from comfytui.output_kinds import Viewer
from comfytui.sanitize import plain
from comfytui.ui.failures import ReportsFailures
from comfytui.ui.gallery.cards import caption, thumb_renderable
from comfytui.ui.gallery.thumb import ThumbView, fit, render_thumb
from comfytui.ui.widgets.footer import AppFooter

if TYPE_CHECKING:
    from comfytui.services.gallery import GalleryItem
    from comfytui.ui.app import ComfyTUI

FPS_CAP = 10.0


def inputs_text(values: dict[str, Any], limit: int = 60) -> Text:
    if not values:
        return Text("(same inputs)", style="dim")
    text = Text()
    for key, value in values.items():
        shown = value if isinstance(value, str) else json.dumps(value, default=str)
        text.append(f"{plain(key, 30)}: ", style="bold cyan")
        text.append(plain(shown, limit) + "\n")
    return text


class CompareScreen(ReportsFailures, Screen[None]):
    BINDINGS: ClassVar = [Binding("escape,q", "back", "Back", id="compare.back")]

    def __init__(self, items: list[GalleryItem]) -> None:
        super().__init__()
        self.items = items[:4]
        self.ready = False  # tests wait for it

    @property
    def tui(self) -> ComfyTUI:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Compare {len(self.items)} outputs", style="bold"), id="compare-title")
        with Horizontal(id="compare-row"):
            for index, _item in enumerate(self.items):
                with Vertical(classes="compare-col", id=f"compare-{index}"):
                    yield ThumbView(1, 1, classes="compare-thumb")
                    yield Static("", classes="compare-caption")
                    with VerticalScroll(classes="compare-inputs-box"):
                        yield Static("", classes="compare-inputs")
        yield AppFooter()

    def on_mount(self) -> None:
        self.call_after_refresh(self._load)

    def _box(self) -> tuple[int, int]:
        row = self.query_one("#compare-row")
        cols = max(8, row.size.width // max(1, len(self.items)) - 2)
        rows = max(4, row.size.height - 10)
        return cols, rows

    @work(exclusive=True, group="compare", exit_on_error=False)
    async def _load(self) -> None:
        session = self.tui.session
        if session is None:
            return
        from comfytui.services.gallery import differing_inputs
        from comfytui.services.thumbnails import make_thumb

        gallery = session.gallery
        runs = await gallery.load_runs([i.run_id for i in self.items])
        diffs = differing_inputs([runs.get(i.run_id) for i in self.items])
        cols, rows = self._box()
        thumbs = await asyncio.gather(
            *(asyncio.to_thread(make_thumb, i.path, i.filename) for i in self.items)
        )
        sizes = [t.source_size or (t.image.size if t.image else None) for t in thumbs]
        known = [s for s in sizes if s]
        scale = min((fit_scale(s, cols, rows) for s in known), default=None)
        now = self.tui.now()
        for index, (item, thumb) in enumerate(zip(self.items, thumbs, strict=True)):
            column = self.query_one(f"#compare-{index}")
            view = column.query_one(ThumbView)
            view.cols, view.rows = cols, rows
            size = sizes[index]
            if thumb.image is not None and size and scale is not None:
                picture = thumb.image.resize(fit(size, cols, rows, scale))
                view.show_rendered(render_thumb(picture, cols, rows, 1.0))
            else:
                view.show_rendered(thumb_renderable(item, thumb, cols, rows))
            column.query_one(".compare-caption", Static).update(caption(item, now, thumb))
            column.query_one(".compare-inputs", Static).update(inputs_text(diffs[index]))
            if item.viewer is Viewer.GIF and size and scale is not None:
                self._start_animation(view, item, fit(size, cols, rows, scale))
        self.ready = True

    @work(group="compare-frames", exit_on_error=False)
    async def _start_animation(
        self, view: ThumbView, item: GalleryItem, pixels: tuple[int, int]
    ) -> None:
        from comfytui.services.thumbnails import gif_frames

        def decode() -> tuple[list[Any], float]:
            frames, delay = gif_frames(item.path, max(pixels), FPS_CAP)
            rendered = [render_thumb(f.resize(pixels), view.cols, view.rows, 1.0) for f in frames]
            return rendered, delay

        try:
            frames, delay = await asyncio.to_thread(decode)
        except Exception:  # noqa: BLE001 - a bad GIF keeps its still frame
            return
        view.show_frames(frames, delay)

    def action_back(self) -> None:
        self.app.pop_screen()


def fit_scale(size: tuple[int, int], cols: int, rows: int) -> float:
    return min(cols / max(1, size[0]), rows * 2 / max(1, size[1]))
