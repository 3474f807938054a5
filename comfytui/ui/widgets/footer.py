"""`AppFooter`: Textual's `Footer`, rebuilt only when the keys it shows change.

`Footer` schedules a full recompose (every key widget removed, remounted and restyled) for each
bindings update; at start-up focus moves and pane loads publish several in a row, mostly with
the same keys. Here one pending rebuild serves them all, and it is skipped when the shown keys
(key, action, label, enabled, tooltip) are those already on screen: the footer looks the same.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class AppFooter(Footer):
    _rebuild_pending = False
    _shown: Any = None

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    def _keys(self) -> Any:
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip, binding.show)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
        )

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await self.recompose()
