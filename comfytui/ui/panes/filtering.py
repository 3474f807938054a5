"""`FilteredPane`: the `/` filter of the browse panes (`ResourcePane` mixes it in).

`/` opens an incremental filter box above the table; every keystroke narrows the rows
(`set_filter`), `enter` goes back to the rows keeping the filter, `escape` clears it. A filter
is words, all of which must match: as text in the item's `haystack`, or with a meaning of their
own (`word_matches`: `@staging`, `/txt2img`, a status). Keys typed in one burst with `/` (a
paste, tmux send-keys) all land in the box (`_typed_ahead`).

A mixin of `Widget` (not of `object`): Textual collects `@on(...)` handlers through the metaclass
of its message pumps, so a handler in a plain mixin would never run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

if TYPE_CHECKING:
    from comfytui.ui.panes.base import PaneTable


class PaneFilter(Input):
    BINDINGS: ClassVar = [
        Binding("escape", "close", "Close filter", id="filter.close"),
    ]

    def action_close(self) -> None:
        pane = next(a for a in self.ancestors if isinstance(a, FilteredPane))
        pane.close_filter()


class FilteredPane(Widget):
    query_text: str
    _haystacks: dict[int, str]

    if TYPE_CHECKING:

        @property
        def table(self) -> PaneTable: ...

        def haystack(self, item: Any) -> str: ...

        def _rebuild_view(self, keep_id: str | None = None) -> None: ...

        def _selected_id(self) -> str | None: ...

    def set_filter(self, text: str) -> None:
        self.query_text = text.strip().casefold()
        self._rebuild_view(keep_id=self._selected_id())

    def action_filter(self) -> None:
        box = self.query_one(PaneFilter)
        box.display = True
        # At once, not `focus()` (call_later): keys typed right after `/` are already queued.
        self.screen.set_focus(box)

    @on(events.Key)
    def _typed_ahead(self, event: events.Key) -> None:
        """Keys typed in one burst with `/` (a paste, tmux send-keys, a fast typist) all pass
        here before the app runs the `/` binding: so `/` opens the filter here, at once, and the
        keys after it go to the box, not to the rows' or the app's keys."""
        box = self.query_one(PaneFilter)
        if self.screen.focused is box:  # (set at once; `has_focus` follows on its Focus event)
            if event.is_printable and event.character:
                box.insert_text_at_cursor(event.character)
                event.stop()
                event.prevent_default()
        elif self._opens_filter(event.key):
            self.action_filter()
            event.stop()
            event.prevent_default()

    def _opens_filter(self, key: str) -> bool:
        """`key` is this pane's filter key (after the user's keymap)."""
        for namespace, bindings in self.screen._binding_chain:  # noqa: SLF001 - keymap applied
            if namespace is self:
                return any(b.action == "filter" for b in bindings.key_to_bindings.get(key, ()))
        return False

    def show_filter(self, text: str) -> None:
        """Filter by `text` with the filter box showing it (empty: no filter); focus the rows."""
        box = self.query_one(PaneFilter)
        with box.prevent(Input.Changed):
            box.value = text
        box.display = bool(text)
        self.set_filter(text)
        self.screen.set_focus(self.table)

    def close_filter(self) -> None:
        box = self.query_one(PaneFilter)
        box.value = ""
        box.display = False
        self.set_filter("")
        self.screen.set_focus(self.table)

    def action_clear_filter(self) -> None:
        if self.query_text or self.query_one(PaneFilter).display:
            self.close_filter()

    @on(Input.Changed, "PaneFilter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.set_filter(event.value)

    @on(Input.Submitted, "PaneFilter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.set_focus(self.table)

    def _matches(self, item: Any) -> bool:
        if not self.query_text:
            return True
        key = id(item)
        hay = self._haystacks.get(key)
        if hay is None:
            hay = self._haystacks[key] = self.haystack(item)
        for word in self.query_text.split():
            exact = self.word_matches(item, word)
            if exact is False or (exact is None and word not in hay):
                return False
        return True

    @property
    def paged_search(self) -> bool:
        """The filter runs in the cache (a paged pane): no loaded rows may still be a no-match."""
        return False

    def word_matches(self, item: Any, word: str) -> bool | None:
        """A filter word with a meaning of its own (`@staging`, `/txt2img`, a status) matches
        exactly here; None: match it as text."""
        del item, word
        return None
