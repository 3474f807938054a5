"""Run view: live status, progress, times, status timeline, inputs, and the outputs one at a time.

Updates come from the app's `RunWatcher` (its `updated` and `saved` signals); this screen only
paints. Output images are previewed from the saved files, so a finished run shows offline too.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from comfytui.errors import ComfyTuiError
from comfytui.models import ItemRef, OutputFile, Run, RunStatus, SavedOutput, output_key
from comfytui.sanitize import plain
from comfytui.ui.failures import ReportsFailures
from comfytui.ui.format import safe
from comfytui.ui.runs.confirm import ConfirmScreen
from comfytui.ui.runs.opener import open_file
from comfytui.ui.runs.preview import ImagePreview
from comfytui.ui.runs.runinfo import (
    Timeline,
    inputs_text,
    problem_text,
    status_text,
    times_text,
    title_text,
    trouble_text,
)
from comfytui.ui.runs.split_bar import split_text
from comfytui.ui.runs.watcher import OutputsSaved
from comfytui.ui.widgets.livetext import set_text

if TYPE_CHECKING:
    from comfytui.ui.app import ComfyTUI


class RunScreen(ReportsFailures, Screen[None]):
    """Watch one run and look at its outputs."""

    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="runs.view.back"),
        Binding("c", "cancel_run", "Cancel run", id="runs.view.cancel"),
        Binding("left", "step(-1)", "Prev output", priority=True, id="runs.view.prev"),
        Binding("right", "step(1)", "Next output", priority=True, id="runs.view.next"),
        Binding("o", "open_output", "Open file", id="runs.view.open"),
        Binding("y", "copy_url", "Copy URL", id="runs.view.copy_url"),
        Binding("R", "rerun", "Rerun", id="runs.view.rerun"),
        Binding("e", "tweak", "Tweak", id="runs.view.tweak"),
        Binding("l", "logs", "Logs", id="runs.view.logs"),
    ]

    def focus_target(self) -> ItemRef:
        """This run, for actions on the focused item (`n`: its deployment; ui/focus.py)."""
        return ItemRef("run", self.run_id, self.run)

    def action_rerun(self) -> None:
        from comfytui.ui.runs import iterate

        self.app.run_worker(iterate.rerun(self.app, self.run_id), exit_on_error=False)

    def action_tweak(self) -> None:
        from comfytui.ui.runs import iterate

        self.app.run_worker(iterate.tweak(self.app, self.run_id), exit_on_error=False)

    class Loaded(Message):
        def __init__(
            self, run: Run | None, saved: list[SavedOutput] | None, note: str = ""
        ) -> None:
            super().__init__()
            self.run = run
            self.saved = saved
            self.note = note

    def __init__(
        self,
        run_id: str,
        *,
        run: Run | None = None,
        deployment_name: str | None = None,
        output_url: str | None = None,
    ) -> None:
        super().__init__()
        self.run_id = run_id
        self._want_url = output_url  # open at this output (the gallery's) once it is known
        self.run: Run | None = run
        self.saved: dict[str, SavedOutput] = {}  # output_key(url) -> saved file
        self.save_error: str | None = None
        self.index = 0
        self.timeline = Timeline()
        self.deployment_name: str | None = deployment_name
        self.queue_shown = False

    @property
    def tui(self) -> ComfyTUI:
        return self.app  # type: ignore[return-value]

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Run {self.run_id}", style="bold"), id="run-title")
        with Horizontal(id="run-body"):
            with VerticalScroll(id="run-info"):
                link = Static("", id="run-link")  # shown while polls fail (`_paint_trouble`)
                link.display = False
                yield link
                yield Static("", id="run-status")
                yield Static("", id="run-queue")
                yield ProgressBar(total=1.0, show_eta=False, id="run-progress")
                yield Static("", id="run-times")
                yield Static("", id="run-split")
                yield Static("", id="run-error")
                yield Static(Text("Timeline", style="bold"), classes="run-section")
                yield Static("", id="run-timeline")
                yield Static(Text("Inputs", style="bold"), classes="run-section")
                yield Static("", id="run-inputs")
            with Vertical(id="run-outputs"):
                yield Static("", id="output-caption")
                yield ImagePreview(
                    protocol=self._protocol(), empty_text="no output yet", id="output-preview"
                )
                yield Static("", id="output-path")
        yield Footer()

    def _protocol(self) -> str:
        for owner in (self.app, getattr(self.app, "session", None)):
            settings = getattr(owner, "settings", None)
            if settings is not None and getattr(settings, "image_protocol", None):
                return str(settings.image_protocol)
        return "auto"

    def on_mount(self) -> None:
        watcher = getattr(self.app, "run_watcher", None)
        if watcher is not None:
            watcher.updated.subscribe(self, self._on_run)
            watcher.saved.subscribe(self, self._on_saved)
            latest = watcher.latest.get(self.run_id)
            if latest is not None:
                self.run = latest
            if self.run_id in watcher.saved_outputs:
                self._set_saved(watcher.saved_outputs[self.run_id])
        self.call_after_refresh(self._paint)
        self.set_interval(1.0, self._tick)
        self._load()

    # --- data ---------------------------------------------------------------------------------

    @work(exclusive=True, group="run-view-load", exit_on_error=False)
    async def _load(self) -> None:
        session = self.tui.session
        run = self.run
        note = ""
        try:
            fetched = session.catalog.get_run(self.run_id)
            fetched = await fetched if inspect.isawaitable(fetched) else fetched
            if fetched is not None:
                run = fetched
        except ComfyTuiError as exc:
            note = str(exc)
        if run is not None and run.deployment_id and self.deployment_name is None:
            self.deployment_name = await self._find_deployment_name(run.deployment_id)
        saved: list[SavedOutput] | None = None
        if run is not None and run.is_terminal and run.outputs and not self.saved:
            saved, error = await self._saved_outputs(run)
            note = note or (error or "")
        self.post_message(self.Loaded(run, saved, note))

    async def _find_deployment_name(self, deployment_id: str) -> str | None:
        for screen in self.app.screen_stack:
            deployment = getattr(screen, "deployment", None)
            if getattr(deployment, "id", None) == deployment_id:
                return str(deployment.name)  # type: ignore[union-attr]
        cache = getattr(self.tui.session, "cache", None)
        try:
            deployment = await cache.get_deployment(deployment_id) if cache else None
        except Exception:  # noqa: BLE001 - a name is a nicety; the id is shown instead
            return None
        return deployment.name if deployment is not None else None

    async def _saved_outputs(self, run: Run) -> tuple[list[SavedOutput] | None, str | None]:
        """Files already saved for `run`, downloading the missing ones when online."""
        session = self.tui.session
        try:
            return list(await session.runs.save_outputs(run)), None
        except ComfyTuiError as exc:
            error = str(exc)
        cache = getattr(session, "cache", None)
        if cache is not None and hasattr(cache, "outputs_for_run"):
            try:
                return list(await cache.outputs_for_run(run.id)), error
            except Exception:  # noqa: BLE001 - the cache's own error is less useful than `error`
                pass
        return None, error

    def on_run_screen_loaded(self, message: Loaded) -> None:
        if message.run is not None and (self.run is None or not self.run.is_terminal):
            self.run = message.run
        if message.saved is not None:
            self._set_saved(message.saved)
        if message.note and not self.saved:
            self.save_error = message.note
        if self.run is None:
            self._show_error(message.note or "This run is not in the cache and not on the server.")
            return
        watcher = getattr(self.app, "run_watcher", None)
        if watcher is not None and not self.run.is_terminal:
            watcher.watch(self.run_id)
        self._paint()

    def _on_run(self, run: Run) -> None:
        if run.id == self.run_id:
            self.run = run
            self._paint()

    def _on_saved(self, event: OutputsSaved) -> None:
        if event.run_id == self.run_id:
            self._set_saved(event.outputs)
            self.save_error = event.error
            self._paint_output()

    def _set_saved(self, outputs: list[SavedOutput]) -> None:
        self.saved = {output_key(o.url): o for o in outputs}

    # --- painting -----------------------------------------------------------------------------

    def _ready(self) -> bool:
        """The widgets exist (not before compose settles, not while the screen is removed)."""
        return bool(self.query("#run-status")) and bool(self.query(ImagePreview))

    def _paint(self) -> None:
        run = self.run
        if run is None or not self._ready():
            return
        self.timeline.record(run)
        set_text(self.query_one("#run-title", Static), title_text(run, self.deployment_name))
        set_text(self.query_one("#run-status", Static), status_text(run))
        bar = self.query_one("#run-progress", ProgressBar)
        if run.status is RunStatus.SUCCESS:
            bar.update(total=1.0, progress=1.0)
        elif run.progress is not None:
            bar.update(total=1.0, progress=min(max(run.progress, 0.0), 1.0))
        elif run.is_terminal:
            bar.update(total=1.0, progress=0)
        else:
            bar.update(total=None)  # indeterminate while queued
        error = self.query_one("#run-error", Static)
        problem = problem_text(run)
        set_text(error, problem)
        if error.display != bool(problem):
            error.display = bool(problem)
        set_text(self.query_one("#run-inputs", Static), inputs_text(run.inputs))
        set_text(self.query_one("#run-timeline", Static), self.timeline.text())
        self._tick()
        self._paint_output()

    def _tick(self) -> None:
        if self.run is not None and self._ready():
            now = datetime.now(UTC)
            stale = self._paint_trouble(now)
            times = times_text(self.run, now, stale=stale)
            set_text(self.query_one("#run-times", Static), times)
            set_text(self.query_one("#run-split", Static), split_text(self.run))
            waiting = self.run.status in (RunStatus.NOT_STARTED, RunStatus.QUEUED)
            queue = self.query_one("#run-queue", Static)
            queue.display = waiting and self.queue_shown and not stale  # not current then
            if waiting and not stale:
                self._ask_queue_position()

    def _paint_trouble(self, now: datetime) -> bool | datetime:
        """The connection line (polls failing: what, next try, last update); when stale, the
        time of the last update (True when unknown), else False."""
        watcher = getattr(self.app, "run_watcher", None)
        trouble = getattr(watcher, "trouble", {}).get(self.run_id)
        line = self.query_one("#run-link", Static)
        stale = trouble is not None and self.run is not None and not self.run.is_terminal
        if stale:
            last = trouble.last_heard or (self.run.updated_at if self.run else None)
            host = getattr(self.tui.session, "api_host", "") or "the server"
            set_text(line, trouble_text(trouble.error, trouble.retry_in(), last, host, now))
        if line.display != stale:
            line.display = stale
        if not stale:
            return False
        return trouble.last_heard or True

    @work(exclusive=True, group="run-view-queue", exit_on_error=False)
    async def _ask_queue_position(self) -> None:
        from comfytui.ui.runs.queue import queue_text  # lazy: only while a run waits

        run = self.run
        logs = getattr(self.tui.session, "logs", None)
        if run is None or logs is None:
            return
        try:
            position = await logs.queue_position(self.run_id)
        except ComfyTuiError:
            return
        if position is None:
            return
        machine = None
        cache = getattr(self.tui.session, "cache", None)
        if run.machine_id and cache is not None:
            try:
                found = await cache.get_machine(run.machine_id)
                machine = found.name if found else None
            except Exception:  # noqa: BLE001 - the name is a nicety
                machine = None
        if self._ready() and self.run is not None and not self.run.is_terminal:
            queue = self.query_one("#run-queue", Static)
            queue.update(queue_text(position, machine))
            queue.display = self.queue_shown = True

    # --- outputs ------------------------------------------------------------------------------

    @property
    def outputs(self) -> tuple[OutputFile, ...]:
        return self.run.outputs if self.run else ()

    @property
    def current(self) -> OutputFile | None:
        outputs = self.outputs
        if self._want_url and outputs:
            urls = [o.url for o in outputs]
            if self._want_url in urls:
                self.index = urls.index(self._want_url)
            self._want_url = None
        if not outputs:
            return None
        self.index = min(max(self.index, 0), len(outputs) - 1)
        return outputs[self.index]

    def _paint_output(self) -> None:
        if not self._ready():
            return
        preview = self.query_one(ImagePreview)
        caption = self.query_one("#output-caption", Static)
        where = self.query_one("#output-path", Static)
        output = self.current
        run = self.run
        if output is None:
            set_text(caption, Text("Outputs", style="bold"))
            if run is not None and run.is_terminal:
                note = "this run has no output files"
            else:
                note = "no output yet"
            if preview.path is not None or preview._shown_text != note:
                preview.show(None, note=note)
            set_text(where, "")
            return
        head = Text(f"Output {self.index + 1}/{len(self.outputs)}  ", style="bold")
        head.append_text(safe(output.filename, 60))
        if len(self.outputs) > 1:
            head.append("   ←/→", style="dim")
        saved = self.saved.get(output_key(output.url))
        if saved is not None:
            path = Path(saved.path)
            if preview.path != path:
                preview.show(path)
            head.append("   o open · y copy URL", style="dim")
            line = Text("Saved ", style="bold", overflow="fold")
            line.append(plain(saved.path, 300))
        else:
            if run is not None and run.is_terminal:
                note = f"not saved: {self.save_error}" if self.save_error else "saving…"
            else:
                note = "shown once the run ends and the file is saved"
            if preview.path is not None or preview._shown_text != note:
                preview.show(None, note=note)
            head.append("   y copy URL", style="dim")
            line = Text("URL ", style="bold", overflow="fold")
            line.append(plain(output.url, 300))
        set_text(caption, head)
        set_text(where, line)

    # --- actions ------------------------------------------------------------------------------

    def action_step(self, delta: int) -> None:
        if len(self.outputs) > 1:
            self.index = (self.index + delta) % len(self.outputs)
            self._paint_output()

    def action_open_output(self) -> None:
        output = self.current
        saved = self.saved.get(output_key(output.url)) if output else None
        if saved is None:
            self.notify("No saved file to open yet.", severity="warning", markup=False)
            return
        self.notify(open_file(Path(saved.path)), markup=False)

    def action_copy_url(self) -> None:
        output = self.current
        if output is None:
            self.notify("This run has no output URL yet.", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(output.url)
        self.notify("Output URL copied to the clipboard (OSC 52).", markup=False)

    def action_cancel_run(self) -> None:
        if self.run is not None and self.run.is_terminal:
            self.notify(f"The run already ended ({self.run.status.value}).", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._cancel()

        question = ConfirmScreen(f"Cancel run {self.run_id[:8]}?", "Cancel run", "Keep")
        self.app.push_screen(question, answered)

    @work(exclusive=True, group="run-view-cancel", exit_on_error=False)
    async def _cancel(self) -> None:
        try:
            await self.tui.session.runs.cancel(self.run_id)
        except ComfyTuiError as exc:
            self.notify(f"Cancel failed: {exc}", severity="error", markup=False)
            return
        self.notify(f"Cancel requested for run {self.run_id[:8]}.", markup=False)
        watcher = getattr(self.app, "run_watcher", None)
        if watcher is not None:
            watcher.watch(self.run_id)

    def action_logs(self) -> None:
        from comfytui.ui.runs.logs import RunLogsScreen  # lazy: first use

        self.app.push_screen(RunLogsScreen(self.run_id))

    def action_back(self) -> None:
        self.dismiss(None)

    def _show_error(self, text: str) -> None:
        error = self.query_one("#run-error", Static)
        error.update(Text(text))
        error.display = True
