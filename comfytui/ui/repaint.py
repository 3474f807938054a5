"""Repaint only what changed: an opaque screen is not repainted for changes under it.

Textual (8.2) lists the screen directly under the top one as a "background screen" even when
the top screen is opaque, and any dirty region on that background screen is forwarded to the top
screen, which then repaints in full. With the main screen under a run view, the status bar's
once-a-second age update repainted every row of the run view and re-sent its inline image (a
Sixel of tens of KB) every second. `OpaqueScreens` drops the screens under an opaque top screen
(they cannot be seen); a modal with a translucent background still shows, and refreshes, what is
under it. The covered screen's widgets keep their new content and paint when it is shown again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:
    from textual.screen import Screen


def covered_by_opaque(app: App) -> bool:
    """True when the top screen fully hides everything under it."""
    try:
        top = app.screen
    except Exception:  # noqa: BLE001 - no screen yet, or the stack is changing
        return False
    return top.styles.background.a >= 1


class OpaqueScreens(App):
    """Mix into the app: no repaints forwarded from screens hidden under an opaque screen."""

    @property
    def _background_screens(self) -> list[Screen]:
        screens = super()._background_screens
        if screens and covered_by_opaque(self):
            return []
        return screens
