"""Gallery screen: every saved output as a grid of thumbnails, newest run first.

Windowed: the grid holds one page of cards (as many as fit); moving past it reads the next page
from the cache (`session.gallery.page`), so 10,000 outputs cost what one screenful does.
Thumbnails are made (once, then kept in the thumbnail folder) and rendered in thread workers;
only the visible page's are. Works offline; when online, outputs of runs made elsewhere are
fetched on demand (`fetch_missing`), then the page is read again.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Input, Static

from comfytui.models import ItemRef
from comfytui.output_kinds import Viewer
from comfytui.ui.failures import ReportsFailures
from comfytui.ui.gallery.cards import (
    CARD_H,
    CARD_W,
    THUMB_COLS,
    THUMB_ROWS,
    GalleryCard,
    thumb_renderable,
)
from comfytui.ui.gallery.cards import caption as card_caption
from comfytui.ui.gallery.thumb import render_thumb
from comfytui.ui.widgets.footer import AppFooter

if TYPE_CHECKING:
    from comfytui.services.gallery import GalleryFilter, GalleryItem, GalleryPage
    from comfytui.ui.app import ComfyTUI

MAX_MARKS = 4
FPS_CAP = 10.0


class GalleryScreen(ReportsFailures, Screen[None]):
    AUTO_FOCUS = ""  # the keys belong to the grid; the filter input takes focus on `/`
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="gallery.back"),
        Binding("left", "move(-1)", "Left", show=False, id="gallery.left"),
        Binding("right", "move(1)", "Right", show=False, id="gallery.right"),
        Binding("up", "move_rows(-1)", "Up", show=False, id="gallery.up"),
        Binding("down", "move_rows(1)", "Down", show=False, id="gallery.down"),
        Binding("pageup", "move_page(-1)", "Page up", show=False, id="gallery.page_up"),
        Binding("pagedown", "move_page(1)", "Page down", show=False, id="gallery.page_down"),
        Binding("home", "jump(0)", "First", show=False, id="gallery.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="gallery.last"),
        Binding("enter", "open_run", "Open run", id="gallery.open_run"),
        Binding("slash", "filter", "Filter", id="gallery.filter"),
        Binding("o", "open_file", "Open file", id="gallery.open_file"),
        Binding("y", "copy", "Copy URL/path", id="gallery.copy"),
        Binding("space", "mark", "Mark", id="gallery.mark"),
        Binding("c", "compare", "Compare", id="gallery.compare"),
        Binding("r", "reload", "Reload", id="gallery.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.flt: GalleryFilter | None = None
        self.start = 0  # index of the first card on the page
        self.cursor = 0
        self.total = 0
        self.items: list[GalleryItem] = []
        self.marked: dict[tuple[str, str], GalleryItem] = {}
        self.loaded = False  # a page has been read (tests wait for it)
        self.painted = False  # ... and every card of it shows its thumbnail (benchmarks)
        self._generation = 0
        self._cols, self._rows = 1, 1

    @property
    def tui(self) -> ComfyTUI:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Text("Gallery", style="bold"), id="gallery-title")
        yield Input(
            placeholder="filter: words deployment:NAME status:S sweep:ID", id="gallery-filter"
        )
        yield Container(id="gallery-grid")
        yield Static("", id="gallery-status")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#gallery-filter", Input).display = False
        self.call_after_refresh(self._layout)
        self._fetch_missing()

    def on_resize(self) -> None:
        self.call_after_refresh(self._layout)

    # --- layout and paging -------------------------------------------------------------------

    @property
    def page_size(self) -> int:
        return self._cols * self._rows

    def _layout(self) -> None:
        grid = self.query_one("#gallery-grid", Container)
        size = grid.size
        if not size.width or not size.height:
            return
        cols, rows = max(1, size.width // CARD_W), max(1, size.height // CARD_H)
        if (cols, rows) != (self._cols, self._rows) or not grid.children:
            self._cols, self._rows = cols, rows
            grid.styles.grid_size_columns = cols
            grid.remove_children()
            grid.mount_all(GalleryCard(slot) for slot in range(cols * rows))
            self.start = self.cursor - self.cursor % self.page_size
            self.call_after_refresh(self.load_page)

    @property
    def cards(self) -> list[GalleryCard]:
        return list(self.query(GalleryCard))

    @work(exclusive=True, group="gallery-page", exit_on_error=False)
    async def load_page(self) -> None:
        session = self.tui.session
        if session is None:
            return
        page: GalleryPage = await session.gallery.page(self.flt, self.start, self.page_size)
        self._show_page(page)

    def _show_page(self, page: GalleryPage) -> None:
        self._generation += 1
        self.painted = False
        self.total, self.items = page.total, page.items
        self.start = page.offset if page.total else 0
        self.start -= self.start % max(1, self.page_size)
        self.cursor = min(self.cursor, max(0, self.total - 1))
        now = self.tui.now()
        for slot, card in enumerate(self.cards):
            item = self.items[slot] if slot < len(self.items) else None
            card.show(self.start + slot, item, now)
            card.set_class(item is not None and self._key(item) in self.marked, "-marked")
        self._paint_cursor()
        self._status(page.note)
        self.loaded = True
        if self.items:
            self._thumbnails(self._generation, list(self.items), now)
        else:
            self.painted = True

    @work(exclusive=True, group="gallery-thumbs", exit_on_error=False)
    async def _thumbnails(self, generation: int, items: list[GalleryItem], now: Any) -> None:
        session = self.tui.session
        if session is None:
            return
        gallery = session.gallery

        def prepare(item: GalleryItem) -> tuple[Any, Text]:
            thumb = gallery.thumb(item)
            return thumb_renderable(item, thumb, THUMB_COLS, THUMB_ROWS), card_caption(
                item, now, thumb
            )

        for slot, item in enumerate(items):
            renderable, label = await asyncio.to_thread(prepare, item)
            if generation != self._generation:
                return  # the page changed meanwhile
            cards = self.cards
            if slot < len(cards):
                cards[slot].show_thumb(renderable, item, label)
        self.painted = True

    def _status(self, note: str | None = None) -> None:
        if not self.total:
            text = Text("no saved outputs", style="dim")
            if self.flt is not None and not self.flt.empty:
                text = Text("no saved outputs match the filter (/ to change it)", style="dim")
        else:
            text = Text(f"{self.cursor + 1}/{self.total}", style="bold")
            text.append(f"  page {self.start // max(1, self.page_size) + 1}", style="dim")
        if self.marked:
            text.append(f"  {len(self.marked)} marked (c compares)", style="cyan")
        if self.tui.offline:
            text.append("  offline: saved outputs only", style="yellow")
        if note:
            text.append(f"  {note}", style="yellow")
        self.query_one("#gallery-status", Static).update(text)

    def _paint_cursor(self) -> None:
        for card in self.cards:
            here = card.item is not None and card.index == self.cursor
            card.set_class(here, "-cursor")
            if here and card.item.viewer is Viewer.GIF and not card.view.animating:
                self._play_gif(card, card.item)
            elif not here and card.view.animating:
                card.view.stop()  # only the card under the cursor plays

    @work(exclusive=True, group="gallery-animation", exit_on_error=False)
    async def _play_gif(self, card: GalleryCard, item: GalleryItem) -> None:
        """Decode the GIF under the cursor in a thread (capped frame rate), then play it."""
        from comfytui.services.thumbnails import gif_frames

        def decode() -> tuple[list[Any], float]:
            frames, delay = gif_frames(item.path, max(THUMB_COLS, THUMB_ROWS * 2), FPS_CAP)
            return [render_thumb(f, THUMB_COLS, THUMB_ROWS) for f in frames], delay

        try:
            frames, delay = await asyncio.to_thread(decode)
        except Exception:  # noqa: BLE001 - a bad GIF keeps its still thumbnail
            return
        if card.item is item and card.index == self.cursor:
            card.view.show_frames(frames, delay)

    @property
    def current(self) -> GalleryItem | None:
        slot = self.cursor - self.start
        return self.items[slot] if 0 <= slot < len(self.items) else None

    def focus_target(self) -> ItemRef | None:
        """The run of the tile under the cursor, for actions on the focused item (`n`: its
        deployment; ui/focus.py)."""
        item = self.current
        return None if item is None else ItemRef("run", item.run_id, item)

    def _go(self, index: int) -> None:
        if not self.total:
            return
        self.cursor = min(max(index, 0), self.total - 1)
        if not self.start <= self.cursor < self.start + self.page_size:
            self.start = self.cursor - self.cursor % self.page_size
            self.load_page()
        else:
            self._paint_cursor()
            self._status()

    def action_move(self, step: int) -> None:
        self._go(self.cursor + step)

    def action_move_rows(self, step: int) -> None:
        self._go(self.cursor + step * self._cols)

    def action_move_page(self, step: int) -> None:
        self._go(self.cursor + step * self.page_size)

    def action_jump(self, index: int) -> None:
        self._go(self.total - 1 if index < 0 else index)

    def action_reload(self) -> None:
        self.load_page()

    def action_back(self) -> None:
        filt = self.query_one("#gallery-filter", Input)
        if filt.display:
            filt.display = False
            self.set_focus(None)
            return
        self.app.pop_screen()

    # --- filter ------------------------------------------------------------------------------

    def action_filter(self) -> None:
        filt = self.query_one("#gallery-filter", Input)
        filt.display = True
        filt.focus()

    @on(Input.Submitted, "#gallery-filter")
    def _apply_filter(self, event: Input.Submitted) -> None:
        from comfytui.services.gallery import GalleryFilter

        self.flt = GalleryFilter.parse(event.value)
        self.cursor = self.start = 0
        event.input.display = False
        self.set_focus(None)
        self.query_one("#gallery-title", Static).update(self._title())
        self.load_page()

    def _title(self) -> Text:
        title = Text("Gallery", style="bold")
        if self.flt is not None and not self.flt.empty:
            value = self.query_one("#gallery-filter", Input).value
            title.append("  filter: ", style="dim")
            title.append(value[:80])
        return title

    # --- acting on the current output --------------------------------------------------------

    def _need_current(self) -> GalleryItem | None:
        item = self.current
        if item is None:
            self.notify("no output here", severity="warning")
        return item

    def action_open_run(self) -> None:
        item = self._need_current()
        if item is not None:
            from comfytui.ui.runs import RunScreen

            self.app.push_screen(
                RunScreen(item.run_id, deployment_name=item.deployment, output_url=item.url)
            )

    def action_open_file(self) -> None:
        item = self._need_current()
        if item is not None:
            from comfytui.ui.runs.opener import open_file

            self.notify(open_file(item.path), markup=False)

    def action_copy(self) -> None:
        item = self._need_current()
        if item is not None:
            target = item.url or str(item.path)
            self.app.copy_to_clipboard(target)
            self.notify(f"copied {target[:120]}", markup=False)

    @staticmethod
    def _key(item: GalleryItem) -> tuple[str, str]:
        return (item.run_id, str(item.path))

    def action_mark(self) -> None:
        item = self._need_current()
        if item is None:
            return
        key = self._key(item)
        if key in self.marked:
            del self.marked[key]
        elif len(self.marked) >= MAX_MARKS:
            self.notify(f"at most {MAX_MARKS} outputs compare at once", severity="warning")
            return
        else:
            self.marked[key] = item
        for card in self.cards:
            if card.item is not None:
                card.set_class(self._key(card.item) in self.marked, "-marked")
        self._status()

    def action_compare(self) -> None:
        if len(self.marked) < 2:
            self.notify("mark 2 to 4 outputs with space first", severity="warning")
            return
        from comfytui.ui.gallery.compare import CompareScreen

        self.app.push_screen(CompareScreen(list(self.marked.values())))

    # --- on-demand downloads -----------------------------------------------------------------

    @work(group="gallery-fetch", exit_on_error=False)
    async def _fetch_missing(self) -> None:
        session = self.tui.session
        if session is None or self.tui.offline or session.gallery.runs is None:
            return
        if await session.gallery.fetch_missing():
            self.load_page()
