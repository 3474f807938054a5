"""The app's side of `services.connectivity`: one message when the connection changes.

`follow_link(app, session)` turns on the session's background probe and subscribes to it; every
change arrives as one `LinkChanged` message to the app, which updates the status bar and the
offline banner and, when the server is usable again, revalidates the panes (no `r` needed).
"""

from __future__ import annotations

from typing import Any

from textual.message import Message


class LinkChanged(Message):
    """The server became usable again (`online`), or a failure of another kind arrived."""

    def __init__(self, online: bool) -> None:
        super().__init__()
        self.online = online


def follow_link(app: Any, session: Any) -> Any:
    """Probe in the background after failures and tell `app`; returns the link (or None)."""
    link = getattr(session, "link", None)
    if link is None:
        return None
    enable = getattr(session, "enable_probing", None)
    if enable is not None:
        enable()
    link.subscribe(lambda changed: app.post_message(LinkChanged(not changed.offline)))
    return link


def sync_state(state: Any, link: Any) -> None:
    """Copy what the link knows into the status bar's `ConnectionState`."""
    if link is None:
        return
    state.link = link
    if link.offline or state.offline:
        state.offline = link.offline
        state.last_error = link.last_error
        if link.offline:
            state.connecting = False
