"""The item in front of the user: asked of the focused widget, its containers, then the screen.

Anything that stands for an item defines `focus_target() -> ItemRef | None`: a browse pane its
cursor row, a detail screen the focused related row or its own subject, a run screen its run.
Actions that act "on the focused item" (`n` starts a run) ask `focused_item(app)` only, so no
screen needs a special case and nothing is taken from a pane that does not have focus.
"""

from __future__ import annotations

from typing import Any

from comfytui.models import ItemRef


def focused_item(app: Any) -> ItemRef | None:
    screen = app.screen
    node = screen.focused
    chain = list(node.ancestors_with_self) if node is not None else [screen]
    for widget in chain:
        if widget is app:
            break
        get = getattr(widget, "focus_target", None)
        if callable(get):
            found = get()
            if isinstance(found, ItemRef):
                return found
    return None


def row_ref(key: str | None, item: Any = None) -> ItemRef | None:
    """A related-items row keyed `kind:id` (the detail screens' tables) as an `ItemRef`."""
    kind, _, ident = (key or "").partition(":")
    return ItemRef(kind, ident, item) if kind and ident else None
