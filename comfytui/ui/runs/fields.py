"""One form field per input kind: label, editor widget, help line and an inline error line.

Parsing and range checks are the services' (`services.inputs.parse_value`), so the form, the CLI and
`runs.start` agree on what is valid; a field only shows the one-line reason next to itself.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, Switch, TextArea

from comfytui.errors import InputError
from comfytui.formats import number_text, range_text, value_text
from comfytui.models import InputKind, InputSpec
from comfytui.sanitize import plain
from comfytui.ui.runs.paths import FilePickerScreen, PathSuggester, is_url

SEED_MAX = 4_294_967_295
#: kinds where an empty editor means "not sent" (the server uses the node's default)
OPTIONAL_WHEN_EMPTY = frozenset(
    {
        InputKind.NUMBER,
        InputKind.INTEGER,
        InputKind.SLIDER,
        InputKind.SLIDER_INT,
        InputKind.SEED,
        InputKind.IMAGE,
        InputKind.IMAGES,
        InputKind.FILE,
        InputKind.OTHER,
    }
)


#: kinds whose default is the node's own (a model file name), not something to send back
NODE_DEFAULT_KINDS = frozenset({InputKind.IMAGE, InputKind.IMAGES, InputKind.FILE})


class Omitted:
    """The value of an empty optional field: left out of the run's inputs."""

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED = Omitted()


def parse(spec: InputSpec, text: str) -> Any:
    """The services' parser (imported late: the services package may be importing the UI's deps)."""
    from comfytui.services.inputs import parse_value

    return parse_value(spec, text)


def inline_reason(spec: InputSpec, message: str) -> str:
    """The services' message without its `input <id>: ` prefix (the field already says which)."""
    prefix = f"input {plain(spec.input_id, 60)}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def as_text(spec: InputSpec, value: Any) -> str:
    """A value (default, last used) as the text an editor shows (`formats.value_text`)."""
    del spec  # whole floats read as integers for every kind ("7", not "7.0")
    return value_text(value)


def range_hint(spec: InputSpec) -> str:
    parts = []
    if spec.min_value is not None or spec.max_value is not None:
        parts.append(range_text(spec.min_value, spec.max_value))
    if spec.step:
        parts.append(f"step {number_text(spec.step)}")
    return ", ".join(parts)


KIND_HINTS: dict[InputKind, str] = {
    InputKind.TEXT: "text",
    InputKind.TEXT_LINE: "text",
    InputKind.NUMBER: "number",
    InputKind.INTEGER: "integer",
    InputKind.SLIDER: "slider",
    InputKind.SLIDER_INT: "slider (integer)",
    InputKind.BOOLEAN: "on/off",
    InputKind.ENUM: "choice",
    InputKind.SEED: "seed, -1 = random on the server · ctrl+r: random now",
    InputKind.IMAGE: "URL or local file (uploaded first) · right: complete · ctrl+o: browse",
    InputKind.IMAGES: "JSON list of image URLs",
    InputKind.FILE: "URL or local file (uploaded first)",
    InputKind.OTHER: "value",
}


class StepInput(Input):
    """An `Input` for numbers: `up`/`down` step the value inside the spec's range."""

    BINDINGS = [
        Binding("up", "step(1)", "Increase", show=False, id="runs.form.step_up"),
        Binding("down", "step(-1)", "Decrease", show=False, id="runs.form.step_down"),
    ]

    def __init__(self, spec: InputSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def action_step(self, direction: int) -> None:
        integer = self.spec.kind in (InputKind.INTEGER, InputKind.SLIDER_INT, InputKind.SEED)
        step = self.spec.step or (
            1 if integer else 0.01 if self.spec.kind == InputKind.SLIDER else 1
        )
        try:
            current = float(self.value)
        except ValueError:
            current = float(self.spec.default) if isinstance(self.spec.default, int | float) else 0
        new = current + direction * step
        if self.spec.min_value is not None:
            new = max(new, self.spec.min_value)
        if self.spec.max_value is not None:
            new = min(new, self.spec.max_value)
        self.value = str(int(round(new))) if integer else number_text(round(new, 6))
        self.cursor_position = len(self.value)


class SeedInput(StepInput):
    """A seed: `ctrl+r` draws a random one inside the range."""

    BINDINGS = [Binding("ctrl+r", "randomise", "Random seed", id="runs.form.random_seed")]

    def action_randomise(self) -> None:
        low = int(self.spec.min_value) if self.spec.min_value is not None else 0
        low = max(low, 0)
        high = int(self.spec.max_value) if self.spec.max_value is not None else SEED_MAX
        self.value = str(random.randint(low, max(low, high)))
        self.cursor_position = len(self.value)


class ImageInput(Input):
    """An image: URL, data URI or local path with completion; `ctrl+o` opens a file picker."""

    BINDINGS = [Binding("ctrl+o", "browse", "Browse files", id="runs.form.browse")]

    def action_browse(self) -> None:
        start = None if not self.value or is_url(self.value) else Path(self.value)

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.value = str(path)
                self.cursor_position = len(self.value)
                self.focus()

        self.app.push_screen(FilePickerScreen(start), chosen)


def text_editor(text: str, **options: Any) -> TextArea:
    """A multi-line editor showing `text` with the cursor after it (as any editor opening a
    draft does: typing goes on from the end)."""
    area = TextArea(text, soft_wrap=True, show_line_numbers=False, compact=True, **options)
    area.move_cursor(area.document.end)
    return area


class InputField(Horizontal):
    """A labelled editor for one `InputSpec`, with an inline error line."""

    DEFAULT_CSS = """
    InputField { height: auto; margin-bottom: 1; }
    InputField > .field-left { width: 28; height: auto; padding-right: 1; }
    InputField > .field-right { width: 1fr; height: auto; }
    InputField .field-label { text-style: bold; }
    InputField .field-id { color: $text-muted; }
    InputField .field-help { color: $text-muted; }
    InputField .field-error { color: $error; display: none; }
    InputField.-invalid .field-error { display: block; }
    InputField TextArea { height: 4; }
    InputField Switch { border: none; height: 1; padding: 0; }
    InputField .field-row { height: auto; }
    InputField .field-row > Input { width: 1fr; }
    InputField .field-row > Button { width: auto; margin-left: 1; }
    """

    def __init__(self, spec: InputSpec, value: Any = None) -> None:
        super().__init__(classes=f"kind-{spec.kind.value}")
        self.spec = spec
        self._initial = spec.default if value is None else value
        self.error: str | None = None
        self.editor: Widget = self._make_editor()

    # --- building -----------------------------------------------------------------------------

    def _make_editor(self) -> Widget:
        spec, kind = self.spec, self.spec.kind
        text = as_text(spec, self._initial)
        if kind == InputKind.TEXT:
            return text_editor(text, classes="editor")
        if kind == InputKind.BOOLEAN:
            return Switch(value=_truthy(self._initial), classes="editor")
        if kind == InputKind.ENUM and spec.enum_options:
            options = [(Text(plain(o, 80)), o) for o in spec.enum_options]
            value = text if text in spec.enum_options else spec.enum_options[0]
            return Select(options, value=value, allow_blank=False, compact=True, classes="editor")
        if kind == InputKind.SEED:
            return SeedInput(spec, value=text, compact=True, classes="editor")
        if kind in (InputKind.NUMBER, InputKind.INTEGER, InputKind.SLIDER, InputKind.SLIDER_INT):
            return StepInput(spec, value=text, compact=True, classes="editor")
        if kind == InputKind.IMAGE:
            return ImageInput(value=text, suggester=PathSuggester(), compact=True, classes="editor")
        return Input(value=text, compact=True, classes="editor")

    def compose(self) -> ComposeResult:
        with Vertical(classes="field-left"):
            yield Label(Text(plain(self.spec.label, 60)), classes="field-label")
            if self.spec.label != self.spec.input_id:
                yield Label(Text(plain(self.spec.input_id, 60)), classes="field-id")
        with Vertical(classes="field-right"):
            if self.spec.kind in (InputKind.SEED, InputKind.IMAGE):
                with Horizontal(classes="field-row"):
                    yield self.editor
                    if self.spec.kind == InputKind.SEED:
                        yield Button("Random", id="seed-random", compact=True)
                    else:
                        yield Button("Browse…", id="image-browse", compact=True)
            else:
                yield self.editor
            help_text = KIND_HINTS.get(self.spec.kind, "")
            hint = range_hint(self.spec)
            if hint:
                help_text = f"{help_text} · {hint}" if help_text else hint
            help_line = Text(help_text)
            if self.spec.description:
                help_line.append(f" — {plain(self.spec.description, 200)}")
            yield Static(help_line, classes="field-help")
            yield Static("", classes="field-error")

    @on(Button.Pressed, "#seed-random")
    def _random(self, event: Button.Pressed) -> None:
        event.stop()
        assert isinstance(self.editor, SeedInput)
        self.editor.action_randomise()

    @on(Button.Pressed, "#image-browse")
    def _browse(self, event: Button.Pressed) -> None:
        event.stop()
        assert isinstance(self.editor, ImageInput)
        self.editor.action_browse()

    # --- values -------------------------------------------------------------------------------

    def raw(self) -> Any:
        """What the user entered: text, or bool / option for switches and selects."""
        editor = self.editor
        if isinstance(editor, TextArea):
            return editor.text
        if isinstance(editor, Switch):
            return editor.value
        if isinstance(editor, Select):
            return None if editor.value is Select.BLANK else editor.value
        assert isinstance(editor, Input)
        return editor.value

    def set_value(self, value: Any) -> None:
        """Show `value` (a default or a last-used value) in the editor."""
        editor = self.editor
        if isinstance(editor, Switch):
            editor.value = _truthy(value)
        elif isinstance(editor, Select):
            text = as_text(self.spec, value)
            if text in self.spec.enum_options:
                editor.value = text
        elif isinstance(editor, TextArea):
            editor.text = as_text(self.spec, value)
            editor.move_cursor(editor.document.end)
        else:
            assert isinstance(editor, Input)
            editor.value = as_text(self.spec, value)
        self.show_error(None)

    def value(self) -> Any:
        """The parsed value (or `OMITTED`); raises `InputError`, shown inline, when invalid."""
        raw = self.raw()
        try:
            if isinstance(raw, bool) or raw is None:
                result = raw if raw is not None else self.spec.default
            elif self.spec.kind in OPTIONAL_WHEN_EMPTY and not str(raw).strip():
                result = OMITTED
            elif self.spec.kind in NODE_DEFAULT_KINDS and raw == as_text(
                self.spec, self.spec.default
            ):
                result = OMITTED  # e.g. a checkpoint file name: the node already has it
            else:
                result = parse(self.spec, raw)
        except InputError as exc:
            self.show_error(inline_reason(self.spec, str(exc)))
            raise
        self.show_error(None)
        return result

    def check(self) -> bool:
        try:
            self.value()
        except InputError:
            return False
        return True

    def show_error(self, message: str | None) -> None:
        self.error = message
        self.set_class(message is not None, "-invalid")
        if self.is_mounted:
            self.query_one(".field-error", Static).update(Text(f"✗ {message}" if message else ""))

    @on(Input.Blurred)
    def _check_on_leave(self, event: Input.Blurred) -> None:
        self.check()

    # re-check as the user types, once a value was found wrong (no nagging before that)
    @on(Input.Changed)
    @on(TextArea.Changed)
    def _recheck(self, event: Any) -> None:
        if self.error is not None:
            self.check()


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
