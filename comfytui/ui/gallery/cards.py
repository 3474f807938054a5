"""A gallery card: thumbnail (or text, or a file row) and a caption; what it shows for each kind.

`thumb_renderable` and `caption` are pure (called from workers and tests); the card widget only
swaps in what a worker prepared.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from comfytui.formats import size_text
from comfytui.output_kinds import Viewer, extension
from comfytui.sanitize import plain
from comfytui.ui.format import ago_str, status
from comfytui.ui.gallery.thumb import ThumbView, render_thumb

if TYPE_CHECKING:
    from comfytui.services.gallery import GalleryItem
    from comfytui.services.thumbnails import Thumb

CARD_W, CARD_H = 26, 11  # cells, border included
THUMB_COLS, THUMB_ROWS = CARD_W - 2, CARD_H - 4
ICONS = {
    Viewer.VIDEO: "▶",
    Viewer.AUDIO: "♪",
    Viewer.GIF: "↻",
    Viewer.TEXT: "¶",
    Viewer.MODEL: "◆",
    Viewer.FILE: "▤",
}


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"


def text_lines(text: str, cols: int, rows: int) -> Text:
    """The first lines of a text file, escaped (no markup, no terminal controls), clipped."""
    lines = [plain(line.expandtabs(2), cols) for line in text.splitlines()[:rows]]
    return Text("\n".join(lines) or "(empty)", style="" if lines else "dim", no_wrap=True)


def file_row(item: GalleryItem) -> Text:
    kind = (extension(item.filename) or "file").upper()
    label = "3D model" if item.viewer is Viewer.MODEL else (item.content_type or "file")
    text = Text(f"{ICONS.get(item.viewer, '▤')} {kind}\n", style="bold")
    text.append(f"{plain(label, 22)}\n{size_text(item.size)}", style="dim")
    return text


def thumb_renderable(item: GalleryItem, thumb: Thumb, cols: int, rows: int) -> RenderableType:
    """What the card's picture area shows for this item (built in a worker)."""
    if thumb.image is not None:
        return render_thumb(thumb.image, cols, rows)
    if thumb.text is not None:
        return text_lines(thumb.text, cols, rows)
    if thumb.note:
        return Text(f"{file_row(item)}\n{plain(thumb.note, cols * 2)}", style="dim")
    return file_row(item)


def caption(item: GalleryItem, now: datetime, thumb: Thumb | None = None) -> Text:
    extra = clock(thumb.duration) if thumb is not None and thumb.duration else ""
    if item.viewer not in (Viewer.VIDEO, Viewer.AUDIO, Viewer.GIF):
        extra = ""
    tag = f" {ICONS[item.viewer]}{extra}" if extra else ""
    name = Text(plain(item.filename, THUMB_COLS - len(tag)), style="bold")
    name.append(tag, style="cyan")
    line = Text(plain(item.deployment, 11), no_wrap=True)
    line.append(" ")
    line.append_text(status(item.status.value))
    if item.created_at is not None:
        line.append(f" {ago_str(item.created_at, now)}", style="dim")
    joined = Text("\n", no_wrap=True, overflow="ellipsis").join((name, line))
    joined.no_wrap, joined.overflow = True, "ellipsis"
    return joined


class GalleryCard(Vertical):
    """One cell of the grid; `index` is the item's position in the whole (filtered) gallery."""

    DEFAULT_CSS = f"""
    GalleryCard {{ width: {CARD_W}; height: {CARD_H}; border: round $panel-lighten-2;
        padding: 0; }}
    GalleryCard.-cursor {{ border: heavy $accent; }}
    GalleryCard.-marked {{ background: $accent 20%; }}
    GalleryCard.-empty {{ visibility: hidden; }}
    GalleryCard ThumbView {{ height: {THUMB_ROWS}; width: {THUMB_COLS}; }}
    GalleryCard .caption {{ height: 2; width: {THUMB_COLS}; }}
    """

    def __init__(self, slot: int) -> None:
        super().__init__(classes="-empty")
        self.slot = slot
        self.item: GalleryItem | None = None
        self.index = -1

    def compose(self) -> ComposeResult:
        yield ThumbView(THUMB_COLS, THUMB_ROWS)
        yield Static("", classes="caption")

    @property
    def view(self) -> ThumbView:
        return self.query_one(ThumbView)

    def show(self, index: int, item: GalleryItem | None, now: datetime) -> None:
        self.index, self.item = index, item
        self.set_class(item is None, "-empty")
        if item is None:
            self.view.show_text(Text(""))
            self.border_title = None
            return
        self.view.show_text(Text("…", style="dim"))
        self.query_one(".caption", Static).update(caption(item, now))

    def show_thumb(self, renderable: RenderableType, item: GalleryItem, label: Text) -> None:
        if item is self.item:
            if not self.view.animating:  # the card under the cursor may already play its GIF
                self.view.show_rendered(renderable)
            self.query_one(".caption", Static).update(label)
