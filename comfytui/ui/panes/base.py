"""`ResourcePane`: the one base of the four browse panes (workflows, deployments, machines, runs).

Contract, the same for every pane:
- refresh: `reload()` paints the cached rows at once, then asks the server (stale-while-revalidate);
  both answers arrive as `ListingLoaded` (which bubbles on to the app for the status bar).
- filter: `/` opens an incremental filter; `set_filter(text)` narrows the rows (panes/filtering.py).
- select: `selected` is the item under the cursor; `enter` calls `open_item(item)`.

The table is a window over the filtered, sorted rows: at most `WINDOW` rows exist as table rows,
and the window slides by `PAGE` rows when the cursor nears either edge, so 10,000 items never
become 10,000 table rows. `g`/`G` jump to the first/last row of the whole list.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from comfytui.formats import ago_changes_in, no_match_text
from comfytui.models import ItemRef
from comfytui.ui.failures import ReportsFailures, fetch
from comfytui.ui.format import ago, sort_key
from comfytui.ui.panes.filtering import FilteredPane, PaneFilter
from comfytui.ui.widgets.cells import set_cell

if TYPE_CHECKING:
    from comfytui.ui.app import ComfyTUI

T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None
    descending: bool = False  # natural direction when sorting (newest first for times)
    ticks: bool = False  # shows a time relative to now: `tick_times` keeps it current


class ListingLoaded(Message):
    """A pane's data arrived (from the cache or the server). Bubbles to the app afterwards."""

    def __init__(self, kind: str, listing: Any, fresh: bool, total: int | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.listing = listing
        self.fresh = fresh
        #: rows the source holds; more than `len(listing.items)` means the pane pages the cache
        self.total = len(listing.items) if total is None else total


class PaneTable(DataTable):
    """The pane's table: rows of `Text`, row cursor, `enter` opens."""

    BINDINGS: ClassVar = [
        Binding("enter", "select_cursor", "Open", id="table.open"),
    ]


class ResourcePane(ReportsFailures, FilteredPane, Vertical, Generic[T], can_focus=False):
    ALLOW_MAXIMIZE = True  # `z` zooms the pane
    KIND: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    NOUN: ClassVar[str] = "items"
    PAGE: ClassVar[int] = 200
    WINDOW: ClassVar[int] = 400
    EDGE: ClassVar[int] = 10
    FIRST_ROWS: ClassVar[int] = 80  # rows built before the first frame (a tall terminal's worth)

    BINDINGS: ClassVar = [
        Binding("j", "cursor(1)", "Down", show=False, id="pane.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="pane.up"),
        Binding("g", "first", "First row", show=False, id="pane.first"),
        Binding("G", "last", "Last row", show=False, id="pane.last"),
        Binding("slash", "filter", "Filter", id="pane.filter"),
        Binding("s", "cycle_sort", "Sort", id="pane.sort"),
        Binding("r", "refresh", "Refresh", id="pane.refresh"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="pane.clear_filter"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.items: list[T] = []  # everything the source gave
        self.view: list[T] = []  # filtered and sorted
        self.query_text = ""
        self.sort_index = 0
        self.window_start = 0
        self.listing: Any = None
        self.revalidated = False  # a server answer (or its offline fallback) has arrived
        self._haystacks: dict[int, str] = {}
        self._notice_shown: tuple[str | None] | None = None  # the notice's text once set
        #: (window start, first and last row on screen) and when one of their times turns over
        self._ticks_due: tuple[tuple[int, int, int], datetime] | None = None
        self._window_short = False  # the first paint built FIRST_ROWS rows of the window

    # --- subclasses fill these in -------------------------------------------------------------

    async def fetch_cached(self) -> tuple[Any, int | None]:
        """The cached listing (instant), and the total when the pane pages (else None)."""
        raise NotImplementedError

    async def fetch_fresh(self) -> tuple[Any, int | None]:
        """The server's listing (written through to the cache); offline falls back to the cache."""
        raise NotImplementedError

    def cells(self, item: T, now: datetime) -> Sequence[Text]:
        raise NotImplementedError

    def sort_value(self, item: T, key: str) -> object:
        return getattr(item, key, None)

    def haystack(self, item: T) -> str:
        """The text the filter searches (lower case)."""
        return " ".join(str(getattr(item, c.key, "") or "") for c in self.COLUMNS).casefold()

    def open_item(self, item: T) -> None:
        """What `enter` does on a row."""

    def item_id(self, item: T) -> str:
        return item.id  # type: ignore[attr-defined]

    def focus_target(self) -> ItemRef | None:
        """The cursor row, for actions on the focused item (`n`: ui/focus.py)."""
        item = self.selected
        return (
            None if item is None else ItemRef(self.KIND.removesuffix("s"), self.item_id(item), item)
        )

    # --- widgets --------------------------------------------------------------------------------

    @property
    def comfy(self) -> ComfyTUI:
        return self.app  # type: ignore[return-value]

    @property
    def table(self) -> PaneTable:
        return self.query_one(PaneTable)

    def compose(self) -> ComposeResult:
        yield Static("", classes="pane-notice")
        yield PaneFilter(
            placeholder=f"filter {self.NOUN}…", select_on_focus=False, classes="pane-filter"
        )
        table = PaneTable(cursor_type="row", zebra_stripes=True)
        for column in self.COLUMNS:
            table.add_column(column.label, key=column.key, width=column.width)
        yield table

    def on_mount(self) -> None:
        self.border_title = self.TITLE  # (the filter box and the notice start hidden: panes.tcss)
        self._update_subtitle()

    # --- refresh contract ----------------------------------------------------------------------

    def reload(self, *, cached: bool = True, fresh: bool = True) -> None:
        """Paint the cached rows, then revalidate against the server (one exclusive worker)."""
        self._load(cached, fresh)

    @fetch(group="pane-load")
    async def _load(self, cached: bool, fresh: bool) -> None:
        # Exclusive per pane (workers belong to this node): a newer reload cancels an older one.
        if cached:
            listing, total = await self.fetch_cached()
            self.post_message(ListingLoaded(self.KIND, listing, fresh=False, total=total))
            if fresh:
                # Cached rows first: the server is asked once every pane's rows are on
                # screen, and the HTTP stack loads (in a thread) only then (ui/firstpaint.py).
                await self.wait_for_refresh()
                gate = getattr(self.screen, "first_paint", None)
                if gate is not None:
                    gate.painted(self.KIND)
                    await gate.wait()
                self._complete_window()
                await self.comfy.session.prepare_network()
        if fresh:
            listing, total = await self.fetch_fresh()
            self.post_message(ListingLoaded(self.KIND, listing, fresh=True, total=total))

    @on(ListingLoaded)
    def _on_listing(self, message: ListingLoaded) -> None:
        if message.kind != self.KIND:
            return
        listing = message.listing
        self.revalidated = self.revalidated or message.fresh
        if message.fresh and listing.offline and self.items:
            # Offline answer carries the same cached rows; keep what is painted.
            self.listing = listing
            self._update_notice()
            return
        self.listing = listing
        self.set_items(list(listing.items), total=message.total)
        self._update_notice()

    def set_items(self, items: list[T], total: int | None = None) -> None:
        """Replace the rows, keeping the cursor on the same item when it is still there."""
        del total  # panes that page the cache (runs) use it
        keep = self.selected
        self.items = items
        self._haystacks.clear()
        self._rebuild_view(keep_id=self.item_id(keep) if keep is not None else None)

    def _update_notice(self) -> None:
        notice = self.query_one(".pane-notice", Static)
        listing = self.listing
        text: str | None = None
        if listing is not None and getattr(listing, "not_supported", False):
            session = getattr(self.app, "session", None)
            label = getattr(session, "dialect_label", "") if session is not None else ""
            text = (
                f"This server{f' ({label})' if label else ''} has no route that lists "
                f"{self.NOUN}. Press o to open a deployment or run by its id; those opened "
                "or started here are listed from the local cache."
            )
        elif listing is not None and listing.error and not listing.offline:
            text = f"could not load {self.NOUN}: {listing.error}"
        elif self.query_text and not self.total and (self.items or self.paged_search):
            text = no_match_text(self.NOUN, self.query_text)
        elif listing is not None and not self.items and not getattr(listing, "from_cache", False):
            text = f"no {self.NOUN} on this server yet"
        if self._notice_shown == (text,):
            return  # unchanged: no repaint (the filter calls this on every paint)
        self._notice_shown = (text,)
        notice.update(Text(text) if text else "")
        notice.display = text is not None

    # --- sort (the filter: panes/filtering.py) ----------------------------------------------------

    def action_cycle_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(self.COLUMNS)
        self._rebuild_view(keep_id=self._selected_id())

    def action_refresh(self) -> None:
        self.reload(cached=False)
        self.notify(f"refreshing {self.NOUN}…", timeout=1.5)

    def _rebuild_view(self, keep_id: str | None = None) -> None:
        column = self.COLUMNS[self.sort_index]
        view = [item for item in self.items if self._matches(item)]
        view.sort(key=lambda it: sort_key(self.sort_value(it, column.key)))
        if column.descending:
            # None last even when descending: reverse only the non-empty part.
            filled = [it for it in view if self.sort_value(it, column.key) not in (None, "")]
            empty = view[len(filled) :]
            view = filled[::-1] + empty
        self.view = view
        target = 0
        if keep_id is not None:
            target = next((i for i, it in enumerate(view) if self.item_id(it) == keep_id), 0)
        self.show_at(target)

    # --- the window ----------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self.view)

    def show_at(self, index: int) -> None:
        """Put the cursor on `view[index]`, sliding the window when it is outside."""
        index = max(0, min(index, self.total - 1))
        start = self.window_start
        if not (start <= index < start + self.WINDOW) or self.table.row_count == 0:
            start = max(0, min(index - self.WINDOW // 2, self.total - self.WINDOW))
        self.show_window(start, index)

    def show_window(self, start: int, cursor: int) -> None:
        """Make rows `start..start+WINDOW` the table rows, cursor on `cursor` (absolute)."""
        self._paint(start, cursor)

    def _window_items(self, start: int) -> list[T]:
        return self.view[start : start + self.WINDOW]

    def _paint(self, start: int, cursor: int) -> None:
        self._ticks_due = None  # other rows: the next tick looks at them all
        table = self.table
        now = self.comfy.now()
        table.clear()
        self.window_start = start
        items = self._window_items(start)
        # Before the first frame only the rows a screen can show are built (`FIRST_ROWS`): the
        # rest of the window follows once the frame is out (`_complete_window`).
        gate = getattr(self.screen, "first_paint", None)
        self._window_short = (
            gate is not None
            and not gate.is_open
            and len(items) > self.FIRST_ROWS
            and cursor - start < self.FIRST_ROWS - self.EDGE
        )
        if self._window_short:
            items = items[: self.FIRST_ROWS]
        self._add_rows(items, now)
        if table.row_count:
            table.move_cursor(row=max(0, min(cursor - start, table.row_count - 1)), animate=False)
        self._update_subtitle()
        if self.query_text or self._notice_shown not in (None, (None,)):
            self._update_notice()  # a filter that matches nothing says so

    def _add_rows(self, items: Sequence[T], now: datetime) -> None:
        table = self.table
        for item in items:
            key = self.item_id(item)
            if key not in table.rows:  # (a list may hold an item twice: one row)
                table.add_row(*self.cells(item, now), key=key)

    def _complete_window(self) -> None:
        """Add the rows a short first paint left out (cursor and scroll stay where they are)."""
        if self._window_short:
            self._window_short = False
            table = self.table
            self._add_rows(
                self._window_items(self.window_start)[table.row_count :], self.comfy.now()
            )
            self._update_subtitle()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.cursor_row >= self.table.row_count - self.EDGE:
            # Near the end of a short first paint: the edges below are those of the whole
            # window. (Not on the highlight the first paint itself sends: the rest of the
            # window is built once the first frame is out, `_load`.)
            self._complete_window()
        row = event.cursor_row
        if row != self.table.cursor_row:
            return  # stale: the table was repainted since (clear() resets the cursor)
        rows = self.table.row_count
        absolute = self.window_start + row
        if row >= rows - self.EDGE and self.window_start + rows < self.total:
            self.show_window(min(self.window_start + self.PAGE, self.total - rows), absolute)
        elif row < self.EDGE and self.window_start > 0:
            self.show_window(max(self.window_start - self.PAGE, 0), absolute)
        else:
            self._update_subtitle()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        item = self.selected
        if item is not None:
            self.open_item(item)

    def action_cursor(self, delta: int) -> None:
        if delta > 0:
            self.table.action_cursor_down()
        else:
            self.table.action_cursor_up()

    def action_first(self) -> None:
        self.show_at(0)

    def action_last(self) -> None:
        self.show_at(self.total - 1)

    # --- selection -----------------------------------------------------------------------------

    @property
    def selected(self) -> T | None:
        if not self.is_mounted or self.table.row_count == 0:
            return None
        return self.item_at(self.window_start + self.table.cursor_row)

    def item_at(self, index: int) -> T | None:
        """The item at `index` of the whole (filtered, sorted) list, if it is loaded."""
        return self.view[index] if 0 <= index < len(self.view) else None

    def _selected_id(self) -> str | None:
        item = self.selected
        return self.item_id(item) if item is not None else None

    def update_item(self, item: T) -> None:
        """Replace one item and update its row in place (no reload, cursor untouched).

        Only the cells whose text changed are repainted (`set_cell`): `update_cell` repaints
        the whole table, and a few runs moving would redraw every visible row each poll."""
        key = self.item_id(item)
        for seq in (self.items, self.view):
            for i, old in enumerate(seq):
                if self.item_id(old) == key:
                    self._haystacks.pop(id(old), None)
                    seq[i] = item
                    break
        table = self.table
        if key not in table.rows:
            return
        self._ticks_due = None  # its time columns start over ("just now")
        for column, cell in zip(self.COLUMNS, self.cells(item, self.comfy.now()), strict=True):
            set_cell(table, key, column.key, cell)

    def tick_times(self, now: datetime) -> int:
        """Recompute the `ticks` columns of the rows on screen; repaint only changed cells.

        Relative times ("34 s ago") keep moving, so a newest-first list always reads in
        order. Returns how many cells changed (0 when idle: no repaint). Called every second:
        the rows on screen are looked at again only once one of their texts can have turned
        over ("3 min ago" stays for a minute), or when other rows came on screen."""
        columns = [c.key for c in self.COLUMNS if c.ticks]
        if not columns or not self.is_mounted or not self.table.row_count:
            return 0
        table = self.table
        top = max(int(table.scroll_y) - 1, 0)  # the header row takes one line
        bottom = min(top + table.size.height + 1, table.row_count)
        shown = (self.window_start, top, bottom)
        if self._ticks_due is not None and shown == self._ticks_due[0] and now < self._ticks_due[1]:
            return 0
        changed, due = 0, math.inf
        for row in range(top, bottom):
            item = self.item_at(self.window_start + row)
            if item is None:
                continue
            key = self.item_id(item)
            for column in columns:  # only the time: cheap enough for every second
                when = self.time_of(item, column)
                changed += set_cell(table, key, column, ago(when, now))
                if when is not None:
                    due = min(due, ago_changes_in(when, now))
        self._ticks_due = (shown, now + timedelta(seconds=min(due, 86400.0)))  # inf: dates
        return changed

    def time_of(self, item: T, key: str) -> datetime | None:
        """The time a `ticks` column shows relative to now (`updated_at` falls back to
        `created_at`, as the panes show it)."""
        when = getattr(item, key, None)
        return when if when is not None else getattr(item, "created_at", None)

    def _update_subtitle(self) -> None:
        column = self.COLUMNS[self.sort_index] if self.COLUMNS else None
        arrow = "▼" if column and column.descending else "▲"
        shown = f"{self.total:,}" if not self.query_text else f"{self.total:,}/{len(self.items):,}"
        position = ""
        if self.total and self.is_mounted and self.table.row_count:
            position = f"{self.window_start + self.table.cursor_row + 1:,} of "
        sort = f"sort {column.label.lower()} {arrow}" if column else ""
        self.border_subtitle = f"{position}{shown} · {sort}"
