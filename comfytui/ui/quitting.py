"""Quitting never throws typed input away.

`q` quits only where nothing can be typed: while a run form is open (on top, or under one of its
dialogs) it is not a quit key. ctrl+q (Textual's), the palette's Quit and `:q` quit at once
unless run-form drafts were not sent; then they ask. `:q!` quits at once, like vim.
"""

from __future__ import annotations

from typing import Any

from comfytui.sanitize import plain
from comfytui.ui.runs.confirm import ConfirmScreen


class QuitConfirm(ConfirmScreen):
    """ "Discard the typed input and quit?" (y quits, n/escape keeps everything)."""

    def __init__(self, names: list[str]) -> None:
        shown = ", ".join(plain(n, 40) for n in names[:3])
        if len(names) > 3:
            shown += f" and {len(names) - 3} more"
        question = f"Typed input in the run form of {shown} was not sent. Discard it and quit?"
        super().__init__(question, yes="Discard and quit", no="Keep")


def holds_input(app: Any) -> bool:
    """A form is open in the screen stack (screens with `HOLDS_INPUT = True`)."""
    return any(getattr(screen, "HOLDS_INPUT", False) for screen in app.screen_stack)


def unsaved_input(app: Any) -> list[str]:
    """The deployment names whose run-form drafts quitting now would throw away."""
    from comfytui.ui.runs import drafts

    return drafts.pending(app)


def request_quit(app: Any, *, force: bool = False) -> None:
    unsaved = [] if force else unsaved_input(app)
    if not unsaved:
        app.exit()
    elif not isinstance(app.screen, QuitConfirm):
        app.push_screen(QuitConfirm(unsaved), lambda yes: app.exit() if yes else None)
