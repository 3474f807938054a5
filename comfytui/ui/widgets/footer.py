"""`AppFooter`: the key bar at the bottom, one widget drawing one line of text.

Textual's `Footer` is a container of one `FooterKey` widget per key: each is mounted, styled
(and restyled twice more by its data-bound `compact` flag) and laid out, and the whole set is
removed and remounted on every bindings change (every focus move). At start-up that was ~35
style passes and a relayout before the first rows; on every pane switch, another remount. Here
the keys are spans of one `Text`, rebuilt only when the shown keys change. It looks like
Textual's footer (the same `$footer-*` colours, the command palette key on the right) and keeps
its mouse behaviour: a click on a key presses it; a disabled key rings the bell.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class _Key(NamedTuple):
    key: str  # what a click presses
    display: str
    description: str
    enabled: bool


_ENABLED, _DISABLED = Style(), Style(dim=True)


class AppFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar = {"footer-key--key", "footer-key--description"}
    DEFAULT_CSS = """
    AppFooter {
        color: $footer-foreground;
        background: $footer-background;
        dock: bottom;
        height: 1;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    _rebuild_pending = False
    _shown: Any = None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys_shown: list[_Key] = []
        self._palette: _Key | None = None
        self._spans: list[tuple[int, int, _Key]] = []  # columns a click maps to its key

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True  # one rebuild serves a burst of updates
            self.call_after_refresh(self._rebuild)

    def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return
        app = self.app
        active = self.screen.active_bindings
        keys: list[_Key] = []
        actions: set[str] = set()
        for _, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in actions:
                continue  # one key an action, as Textual's footer shows them
            actions.add(binding.action)
            display = app.get_key_display(binding)
            keys.append(_Key(binding.key, display, binding.description, enabled))
        palette = None
        if app.ENABLE_COMMAND_PALETTE and (entry := active.get(app.COMMAND_PALETTE_BINDING)):
            _, binding, enabled, _tooltip = entry
            palette = _Key(binding.key, app.get_key_display(binding), binding.description, enabled)
        shown = (tuple(keys), palette)
        if shown == self._shown:
            return  # the same keys: nothing to redraw
        self._shown = shown
        self._keys_shown, self._palette = keys, palette
        self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")

        def key_text(key: _Key) -> Text:
            dim = _ENABLED if key.enabled else _DISABLED
            text = Text(end="")
            text.append(f" {key.display} ", key_style + dim)
            if key.description:
                text.append(f"{key.description} ", description_style + dim)
            return text

        line = Text(no_wrap=True, overflow="ellipsis", end="")
        spans: list[tuple[int, int, _Key]] = []
        for key in self._keys_shown:
            start = line.cell_len
            line.append_text(key_text(key))
            spans.append((start, line.cell_len, key))
        if self._palette is not None:  # docked right, after a thin bar
            palette = key_text(self._palette)
            room = max(self.size.width - 1 - palette.cell_len, 0)
            if line.cell_len > room:
                line.truncate(room, overflow="ellipsis")
                spans = [s for s in spans if s[1] <= room]
            line.pad_right(room - line.cell_len)
            line.append("▏", "dim")
            spans.append((line.cell_len, line.cell_len + palette.cell_len, self._palette))
            line.append_text(palette)
        self._spans = spans
        return line

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                if key.enabled:
                    self.app.simulate_key(key.key)
                else:
                    self.app.bell()
                return
