"""Worker failures travel to one place: the app turns them into a one-line notification.

Workers run with `exit_on_error=False`; `ReportsFailures` (mixed into every widget or screen that
starts workers) forwards an errored worker as a bubbling `WorkFailed` message to the app.
"""

from __future__ import annotations

import logging
from functools import partial

from textual import work
from textual.worker import Worker, WorkerState

from comfytui.errors import ComfyTuiError, ConnectFailedError
from comfytui.services.connectivity import LINK_ERRORS
from comfytui.ui.messages import WorkFailed

log = logging.getLogger("comfytui.ui")

#: `@fetch(group="...")`: an exclusive worker whose failure is reported, never fatal.
fetch = partial(work, exclusive=True, exit_on_error=False)


class ReportsFailures:
    """Mixin for DOM nodes that start workers: errors bubble to the app as `WorkFailed`."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.post_message(WorkFailed(event.worker, event.worker.error))  # type: ignore[attr-defined]


def describe(error: BaseException) -> tuple[str, str]:
    """The one line shown to the user for `error`, and the notification severity."""
    if isinstance(error, ConnectFailedError):  # only a connection that failed is "offline"
        return f"offline: {error}", "warning"
    if isinstance(error, LINK_ERRORS):
        return str(error), "warning"  # named by errmap: timeout, server error, rate limit, ...
    if isinstance(error, ComfyTuiError):
        return str(error), "error"
    log.error("unexpected error", exc_info=error)
    return f"{summary(error)} (details in the log)", "error"


def summary(error: BaseException) -> str:
    """One line naming an error: its message for ours, type and message for anything else."""
    if isinstance(error, ComfyTuiError):
        return str(error)
    text = " ".join(str(error).split())[:200]
    return f"unexpected {type(error).__name__}: {text}"
