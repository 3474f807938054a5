"""Run form: one field per deployment input, validated inline, then `session.runs.start`.

Nothing typed is lost: a validation failure, a failed upload or a refused run keeps the form with a
one-line reason; every change is kept as a draft per deployment for the app's lifetime, so leaving
the form any way (escape, a pane key, a run screen) and opening it again restores what was typed.
`q` does not quit while a form is open, and ctrl+q asks first while drafts are pending.
A deployment whose inputs cannot be known gets one `NAME=VALUE` box (`FreeInputs`).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, ProgressBar, Static

from comfytui.errors import ComfyTuiError, InputError
from comfytui.formats import size_text
from comfytui.models import Deployment, Run
from comfytui.sanitize import plain
from comfytui.ui.failures import ReportsFailures
from comfytui.ui.messages import RunStarted
from comfytui.ui.runs import drafts
from comfytui.ui.runs.fields import OMITTED, InputField, inline_reason
from comfytui.ui.runs.free_inputs import DRAFT_KEY, FreeInputs

if TYPE_CHECKING:
    from comfytui.ui.app import ComfyTUI

_INPUT_NAME = re.compile(r"^input (\S+?):")


class RunFormScreen(ReportsFailures, Screen[None]):
    """Fill a deployment's inputs and start a run (`ctrl+s`)."""

    HOLDS_INPUT: ClassVar[bool] = True  # q types or does nothing here; it never quits
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "start", "Start run", priority=True, id="runs.form.start"),
        Binding("ctrl+l", "use_last", "Last values", id="runs.form.last_values"),
        Binding("escape", "back", "Back", id="runs.form.back"),
    ]

    class UploadProgress(Message):
        def __init__(self, fraction: float | None, label: str) -> None:
            super().__init__()
            self.fraction = fraction
            self.label = label

    class StartDone(Message):
        def __init__(self, run: Run | None, error: str | None, field: str | None = None) -> None:
            super().__init__()
            self.run = run
            self.error = error
            self.field = field

    def __init__(
        self,
        deployment: Deployment,
        *,
        prefill: dict[str, Any] | None = None,
        prefill_note: str | None = None,
        inputs_known: bool = True,
    ) -> None:
        super().__init__()
        self.deployment = deployment
        self.inputs_known = inputs_known or bool(deployment.inputs)
        self._pristine: dict[str, Any] | None = None
        self.prefill = prefill  # a run's inputs (tweak): over any draft
        self.prefill_note = prefill_note
        self.last_values: dict[str, Any] | None = None
        self.starting = False

    @property
    def tui(self) -> ComfyTUI:
        return self.app  # type: ignore[return-value]

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        dep = self.deployment
        title = Text("Run ", style="bold")
        title.append(plain(dep.name, 80), style="bold")
        meta = [dep.environment, dep.machine_name or "", f"v{dep.version}" if dep.version else ""]
        title.append("  " + " · ".join(plain(m, 40) for m in meta if m), style="dim")
        yield Static(title, id="form-title")
        kept = drafts.get(self.app, dep.id)
        draft = kept.raws if kept is not None else {}
        self._pristine = kept.pristine if kept is not None else None
        if self.prefill is not None:
            draft = dict(self.prefill)
            self._pristine = None
        with VerticalScroll(id="form-fields"):
            if not self.inputs_known:
                yield FreeInputs(str(draft.get(DRAFT_KEY) or ""))
            elif not dep.inputs:
                yield Static("This deployment has no inputs: ctrl+s starts it as it is.")
            for spec in dep.inputs:
                yield InputField(spec, draft.get(spec.input_id))
        yield Static("", id="form-runs")
        yield Static("", id="form-notice")
        yield Static("", id="form-error")
        with Horizontal(id="upload-row"):
            yield Static("", id="upload-label")
            yield ProgressBar(total=1.0, show_eta=False, id="upload-bar")
        with Horizontal(id="form-buttons"):
            yield Button("Start  ctrl+s", variant="primary", compact=True, id="form-start")
            yield Button("Last values  ctrl+l", compact=True, id="form-last", disabled=True)
            yield Button("Back  esc", compact=True, id="form-back")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#upload-row").display = False
        if self._pristine is None:  # nothing restored: what shows now is what was not typed
            self._pristine = self.raws()
        fields = self.query(InputField)
        if fields:
            fields.first().editor.focus()
        elif not self.inputs_known:
            self.query_one(FreeInputs).editor.focus()
        self._load_last_values()
        if self.prefill_note:
            self._notice(self.prefill_note)

    @property
    def fields(self) -> list[InputField]:
        return list(self.query(InputField))

    # --- drafts -------------------------------------------------------------------------------

    def raws(self) -> dict[str, Any]:
        """What is typed in every field (the free box under `DRAFT_KEY`)."""
        raws = {f.spec.input_id: f.raw() for f in self.fields}
        for box in self.query(FreeInputs):
            raws[DRAFT_KEY] = box.raw()
        return raws

    def keep_draft(self) -> None:
        if self.is_mounted and not self.starting and self._pristine is not None:
            dep = self.deployment
            drafts.keep(self.app, dep.id, dep.name, self.raws(), self._pristine)

    def on_select_changed(self) -> None:
        self.keep_draft()

    def on_switch_changed(self) -> None:
        self.keep_draft()

    # --- last values --------------------------------------------------------------------------

    @work(exclusive=True, group="run-form-last", exit_on_error=False)
    async def _load_last_values(self) -> None:
        runs = getattr(getattr(self.app, "session", None), "runs", None)
        if runs is None:
            return
        result = runs.last_inputs(self.deployment.id)
        values = await result if inspect.isawaitable(result) else result
        if values:
            self.last_values = dict(values)
            self.query_one("#form-last", Button).disabled = False
            if not self.prefill_note:
                self._notice(
                    "Last values used for this deployment are available: ctrl+l fills them."
                )

    def action_use_last(self) -> None:
        if not self.last_values:
            self._notice("No earlier run of this deployment from this app.")
            return
        for field in self.fields:
            if field.spec.input_id in self.last_values:
                field.set_value(self.last_values[field.spec.input_id])
        self._notice("Filled with the last values used.")

    # --- start --------------------------------------------------------------------------------

    @on(Button.Pressed, "#form-start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#form-last")
    def _last_pressed(self) -> None:
        self.action_use_last()

    @on(Button.Pressed, "#form-back")
    def _back_pressed(self) -> None:
        self.action_back()

    def collect(self, skip: Any = ()) -> dict[str, Any] | None:
        """Parsed values of every field (but `skip`), or None after marking the invalid ones."""
        values: dict[str, Any] = {}
        bad: list[InputField] = []
        for field in self.fields:
            if field.spec.input_id in skip:
                continue
            try:
                value = field.value()
            except InputError:
                bad.append(field)
                continue
            if value is not OMITTED:
                values[field.spec.input_id] = value
        for box in self.query(FreeInputs):
            try:
                values.update(box.values(self.deployment))
            except InputError as exc:
                self._error(str(exc))
                box.editor.focus()
                return None
        if bad:
            names = ", ".join(plain(f.spec.label, 30) for f in bad[:3])
            more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
            self._error(f"Fix {len(bad)} input(s) before starting: {names}{more}.")
            bad[0].editor.focus()
            bad[0].scroll_visible()
            return None
        return values

    def sweep_values(self) -> dict[str, list[Any]]:
        """Fields holding list/range syntax (`1..8`, `5,7,9`, `@prompts.txt`): name -> values."""
        from comfytui.services.inputs import parse_value
        from comfytui.services.sweep_plan import expand

        lists: dict[str, list[Any]] = {}
        for field in self.fields:
            raw = field.raw()
            if not isinstance(raw, str) or not raw.strip():
                continue
            spec = field.spec
            if spec.kind.value in ("image", "file") or (
                ".." not in raw and "," not in raw and not raw.startswith("@")
            ):
                continue
            values = expand(spec, spec.input_id, raw.strip())
            if len(values) > 1:
                lists[spec.input_id] = [parse_value(spec, v) for v in values]
        return lists

    def _count_runs(self) -> None:
        try:
            lists = self.sweep_values()
        except InputError as exc:
            self.query_one("#form-runs", Static).update(Text(f"✗ {exc}", style="red"))
            return
        total = 1
        for values in lists.values():
            total *= len(values)
        label = Text("")
        if total > 1:
            label = Text(f"{total} runs", style="bold")
            label.append(f"  varying: {', '.join(lists)}", style="dim")
        self.query_one("#form-runs", Static).update(label)

    def on_input_changed(self) -> None:
        self._count_runs()
        self.keep_draft()

    def on_text_area_changed(self) -> None:
        self._count_runs()
        self.keep_draft()

    def action_start(self) -> None:
        if self.starting:
            return
        try:
            lists = self.sweep_values()
        except InputError as exc:
            self._error(str(exc))
            return
        if lists:
            self._start_sweep(lists)
            return
        values = self.collect()
        if values is None:
            return
        self._error(None)
        uploads = [v for v in values.values() if isinstance(v, Path)]
        self._set_starting(True, "Uploading…" if uploads else "Starting…")
        if uploads:
            self.query_one("#upload-row").display = True
            self.query_one("#upload-bar", ProgressBar).update(total=1.0, progress=0)
        self._start(values)

    @work(exclusive=True, group="run-form-sweep", exit_on_error=False)
    async def _start_sweep(self, lists: dict[str, list[Any]]) -> None:
        from comfytui.services.sweep_plan import SweepPlan
        from comfytui.ui.runs.confirm import ConfirmScreen
        from comfytui.ui.runs.sweep_view import start_sweep_worker

        single = self.collect(skip=lists)
        if single is None:
            return
        fixed = {name: [value] for name, value in single.items()}
        order = [f.spec.input_id for f in self.fields]
        values = {**fixed, **lists}
        plan = SweepPlan({name: values[name] for name in order if name in values})
        question = f"Send {plan.describe()} of {plain(self.deployment.name, 60)}?"
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Send")):
            return
        drafts.forget(self.app, self.deployment.id)
        start_sweep_worker(self.app, self.deployment, plan)

    @work(exclusive=True, group="run-form-start", exit_on_error=False)
    async def _start(self, values: dict[str, Any]) -> None:
        session = self.tui.session

        def progress(*args: Any) -> None:  # may be called from a thread: post_message is safe
            self.post_message(self.UploadProgress(*_progress_args(args)))

        try:
            run = await session.runs.start(self.deployment, values, on_upload_progress=progress)
        except InputError as exc:
            named = _INPUT_NAME.match(str(exc))
            self.post_message(self.StartDone(None, str(exc), named.group(1) if named else None))
        except ComfyTuiError as exc:
            self.post_message(self.StartDone(None, str(exc)))
        else:
            self.post_message(self.StartDone(run, None))

    def on_run_form_screen_upload_progress(self, message: UploadProgress) -> None:
        self.query_one("#upload-row").display = True
        bar = self.query_one("#upload-bar", ProgressBar)
        if message.fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=1.0, progress=min(max(message.fraction, 0.0), 1.0))
        self.query_one("#upload-label", Static).update(Text(message.label))

    def on_run_form_screen_start_done(self, message: StartDone) -> None:
        self._set_starting(False)
        self.query_one("#upload-row").display = False
        if message.run is None:
            self._error(message.error or "The run could not be started.")
            if message.field:
                for field in self.fields:
                    if field.spec.input_id == message.field:
                        field.show_error(inline_reason(field.spec, message.error or ""))
                        field.editor.focus()
            return
        run = message.run
        drafts.forget(self.app, self.deployment.id)
        self.app.post_message(RunStarted(run))
        watcher = getattr(self.app, "run_watcher", None)
        if watcher is not None:
            watcher.watch(run.id)
        from comfytui.ui.runs.view import RunScreen

        self.app.switch_screen(RunScreen(run.id, run=run, deployment_name=self.deployment.name))

    def _set_starting(self, starting: bool, label: str = "") -> None:
        self.starting = starting
        button = self.query_one("#form-start", Button)
        button.disabled = starting
        button.label = label if starting else "Start  ctrl+s"

    # --- leaving ------------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.starting:
            self._notice("Starting… the form closes once the run is queued.")
            return
        self.keep_draft()
        self.dismiss(None)

    # --- one-line messages --------------------------------------------------------------------

    def _error(self, text: str | None) -> None:
        widget = self.query_one("#form-error", Static)
        widget.update(Text(f"✗ {text}") if text else "")
        widget.set_class(bool(text), "-shown")

    def _notice(self, text: str) -> None:
        self.query_one("#form-notice", Static).update(Text(text))


def _progress_args(args: tuple[Any, ...]) -> tuple[float | None, str]:
    """Accept `(fraction)`, `(sent, total)` or `(name, sent, total)` from the upload callback."""
    numbers = [a for a in args if isinstance(a, int | float) and not isinstance(a, bool)]
    names = [plain(a, 40) for a in args if isinstance(a, str)]
    prefix = f"Uploading {names[0]}" if names else "Uploading"
    if len(numbers) >= 2:
        sent, total = numbers[-2], numbers[-1]
        if total:
            return sent / total, f"{prefix}: {size_text(sent)} of {size_text(total)}"
        return None, f"{prefix}: {size_text(sent)}"
    if len(numbers) == 1:
        value = float(numbers[0])
        return (value if value <= 1 else None), f"{prefix}…"
    return None, f"{prefix}…"
