"""`RunWatcher`: a non-visual widget following runs in the background, one worker per run.

Each worker iterates `session.runs.watch(run_id)` (which writes every change through to the cache),
posts a coalescing `RunUpdated` to the app and publishes the run on `updated` for open run views.
When a run ends, its outputs are saved (`session.runs.save_outputs`) and, unless the user is
looking at that run, a notification says how it ended.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import partial
from time import monotonic
from typing import TYPE_CHECKING, Any, NamedTuple

from textual import work
from textual.signal import Signal
from textual.widget import Widget
from textual.worker import Worker

from comfytui.errors import (
    ComfyTuiError,
    NetworkError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from comfytui.models import Run, RunStatus, SavedOutput
from comfytui.ui.failures import ReportsFailures
from comfytui.ui.messages import RunUpdated

if TYPE_CHECKING:
    from comfytui.ui.app import ComfyTUI

#: transient failures a watch survives (with backoff, capped at `retry_max`): never given up on
RETRYABLE = (NetworkError, ServerError, RateLimitedError, ProtocolError)


class Trouble(NamedTuple):
    """Why a watched run is not being updated: the last error, when the next try is (monotonic)
    and when the server last answered for it (None: not since this app started)."""

    error: BaseException
    retry_at: float
    last_heard: datetime | None

    def retry_in(self) -> float:
        return max(self.retry_at - monotonic(), 0.0)


class OutputsSaved:
    """What `RunWatcher.saved` publishes: the saved files of a run, or why they are not."""

    __slots__ = ("error", "outputs", "run_id")

    def __init__(self, run_id: str, outputs: list[SavedOutput], error: str | None = None) -> None:
        self.run_id = run_id
        self.outputs = outputs
        self.error = error


class RunWatcher(ReportsFailures, Widget):
    """Follows runs, one worker each; posts `RunUpdated` to the app, saves outputs at the end."""

    DEFAULT_CSS = "RunWatcher { display: none; }"
    BACKGROUND_FACTOR = 4  # a run not on screen: polled 4x less often (0.5 s -> 2 s)

    def __init__(self, *, id: str | None = "run-watcher") -> None:
        super().__init__(id=id)
        self.updated: Signal[Run] = Signal(self, "run-updated")
        self.saved: Signal[OutputsSaved] = Signal(self, "outputs-saved")
        self.latest: dict[str, Run] = {}
        self.saved_outputs: dict[str, list[SavedOutput]] = {}
        self._workers: dict[str, Worker[None]] = {}
        self.retry_base = 1.0  # seconds; tests may shorten it
        self.retry_max = 30.0
        self.trouble: dict[str, Trouble] = {}  # run id -> why it is stale (while it is)
        self.heard: dict[str, datetime] = {}  # run id -> last time the server answered for it

    @property
    def tui(self) -> ComfyTUI:
        return self.app  # type: ignore[return-value]

    # --- public -------------------------------------------------------------------------------

    def watch(self, run_id: Any, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Follow `run_id` until it ends (no-op if it is already followed).

        With more arguments this is Textual's `DOMNode.watch(obj, attribute, callback)`.
        """
        if args or kwargs or not isinstance(run_id, str):
            super().watch(run_id, *args, **kwargs)
            return
        worker = self._workers.get(run_id)
        if worker is not None and not worker.is_finished:
            return
        self._workers[run_id] = self._follow(run_id)

    def announce(self, run: Run) -> None:
        """A run started in this app: every view subscribed to `updated` shows it at once
        (the Runs pane, the deployment screen, the status bar count), then it is followed."""
        self.latest.setdefault(run.id, run)
        self.updated.publish(self.latest[run.id])
        self.watch(run.id)

    async def resume(self) -> None:
        """Follow every run the cache holds as unfinished (called once after start-up)."""
        result = self.tui.session.runs.unfinished()
        runs = await result if asyncio.iscoroutine(result) else result
        for run in runs:
            self.latest.setdefault(run.id, run)
            self.watch(run.id)

    def is_watching(self, run_id: str) -> bool:
        worker = self._workers.get(run_id)
        return worker is not None and not worker.is_finished

    @property
    def active(self) -> list[str]:
        return [run_id for run_id in self._workers if self.is_watching(run_id)]

    # --- the per-run worker -------------------------------------------------------------------

    @work(group="watch", exclusive=False, exit_on_error=False)
    async def _follow(self, run_id: str) -> None:
        last: Run | None = self.latest.get(run_id)
        failures = 0

        def report(error: BaseException | None) -> None:
            nonlocal failures
            if error is None:
                failures = 0
                self.heard[run_id] = datetime.now(UTC)
                if self.trouble.pop(run_id, None) is not None:
                    self._trouble_changed(run_id)
            else:  # a rate limit waited out inside the poll
                wait = getattr(error, "retry_after", None) or self.retry_base
                self._set_trouble(run_id, error, float(wait))

        while True:
            try:
                runs = self.tui.session.runs
                pace = partial(self.poll_interval, run_id)
                async for run in runs.watch(run_id, report=report, min_interval=pace):
                    failures = 0
                    last = run
                    self._publish(run)
                break
            except NotFoundError as exc:  # not even in the cache: nothing to mark
                self._lost(run_id, str(exc))
                return
            except RETRYABLE as exc:
                # The server is in trouble, not the run: keep following (the run screen says
                # so and counts down), and go again at once when the connection comes back.
                failures += 1
                delay = getattr(exc, "retry_after", None) or self.retry_base * 2 ** (failures - 1)
                delay = min(float(delay), self.retry_max)
                self._set_trouble(run_id, exc, delay)
                first = min(self.retry_base, delay)  # never a tight loop, even if the
                await asyncio.sleep(first)  # link reads online (another call got through)
                link = getattr(self.tui.session, "link", None)
                if link is not None:
                    await link.wait_online(delay - first)
                else:
                    await asyncio.sleep(delay - first)
            except ComfyTuiError as exc:
                self._lost(run_id, str(exc))
                return
        self.trouble.pop(run_id, None)
        if last is not None and last.is_terminal:
            await self._finished(last)

    def poll_interval(self, run_id: str) -> float:
        """How soon to ask again about a run that moves: often while its run screen is open
        (the progress bar), less in the background (the Runs pane's row, the status bar's
        count): a few runs going for minutes cost ~4x fewer requests, for us and the server."""
        base = self.tui.session.runs.min_interval
        return base if self._is_viewed(run_id) else base * self.BACKGROUND_FACTOR

    # --- trouble: why a run's view may be stale -----------------------------------------------

    def _set_trouble(self, run_id: str, error: BaseException, delay: float) -> None:
        self.trouble[run_id] = Trouble(error, monotonic() + delay, self.heard.get(run_id))
        self._trouble_changed(run_id)

    def _trouble_changed(self, run_id: str) -> None:
        run = self.latest.get(run_id)
        if run is not None:
            self.updated.publish(run)  # open run views repaint their connection line

    def _publish(self, run: Run) -> None:
        self.latest[run.id] = run
        self.app.post_message(RunUpdated(run))
        self.updated.publish(run)

    async def _finished(self, run: Run) -> None:
        saved: list[SavedOutput] = []
        error: str | None = None
        if run.outputs:
            try:
                saved = list(await self.tui.session.runs.save_outputs(run))
            except ComfyTuiError as exc:
                error = str(exc)
        self.saved_outputs[run.id] = saved
        self.saved.publish(OutputsSaved(run.id, saved, error))
        # "looking elsewhere": another screen, or the terminal itself is not focused
        if not self._is_viewed(run.id) or not self.app.app_focus:
            text = self._notify_end(run, saved, error)
            alert = getattr(self.app, "alert_run_ended", None)
            if alert is not None:
                alert(run, text)

    # --- words --------------------------------------------------------------------------------

    def _is_viewed(self, run_id: str) -> bool:
        screen = self.app.screen
        return getattr(screen, "run_id", None) == run_id and type(screen).__name__ == "RunScreen"

    def _notify_end(self, run: Run, saved: list[SavedOutput], error: str | None) -> str:
        short = run.id[:8]
        if run.status is RunStatus.SUCCESS:
            files = f": {len(saved)} output(s) saved" if saved else ""
            text, severity = f"Run {short} finished{files}", "information"
        elif run.status is RunStatus.NOT_FOUND:
            host = getattr(self.tui.session, "api_host", "the server")
            text = f"Run {short} is unknown to {host} (it answers 404); kept in the cache"
            severity = "warning"
        elif run.status is RunStatus.CANCELLED:
            text, severity = f"Run {short} cancelled", "warning"
        else:
            reason = f": {' '.join(run.error.split())[:120]}" if run.error else ""
            text, severity = f"Run {short} {run.status.value}{reason}", "error"
        if error:
            text += f" (outputs not saved: {error})"
        self.app.notify(text, severity=severity, markup=False)  # type: ignore[arg-type]
        return text

    def _lost(self, run_id: str, reason: str) -> None:
        self.app.notify(
            f"Stopped following run {run_id[:8]}: {reason} (it resumes at the next start)",
            severity="warning",
            markup=False,
        )
