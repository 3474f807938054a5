"""Messages shared across the UI: run updates from the watcher, worker failures, session ready.

`RunUpdated` coalesces (`can_replace`) so a fast-polling run cannot flood the queue: a newer
update of the same run replaces an older one still waiting to be handled.
"""

from __future__ import annotations

from textual.message import Message
from textual.worker import Worker

from comfytui.models import Run


class RunUpdated(Message):
    """A watched run changed (status, progress, outputs). Posted to the app."""

    def __init__(self, run: Run) -> None:
        super().__init__()
        self.run = run

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RunUpdated) and message.run.id == self.run.id


class RunStarted(Message):
    """A run was queued from this app; the Runs pane shows it at once. Posted to the app."""

    def __init__(self, run: Run) -> None:
        super().__init__()
        self.run = run


class WorkFailed(Message):
    """A worker ended with an exception; bubbles to the app, which turns it into words."""

    def __init__(self, worker: Worker, error: BaseException) -> None:
        super().__init__()
        self.worker = worker
        self.error = error


class SessionReady(Message):
    """The services session is open (or failed to open: `error`)."""

    def __init__(self, error: BaseException | None = None) -> None:
        super().__init__()
        self.error = error
