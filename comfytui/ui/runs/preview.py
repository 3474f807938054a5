"""Inline preview of a saved output image: textual-image (Kitty/Sixel/half-blocks) or rich-pixels.

The file is decoded and scaled in a thread worker (`decode.load_preview`); the handler only swaps a
ready, panel-sized image into the widget. A bad file shows a placeholder with a one-line reason.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Center
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from comfytui.errors import ImageError
from comfytui.terminal.protocol import PROTOCOL_MODES, chosen
from comfytui.ui.runs.decode import CellGeometry, Mode, Preview, load_preview

try:  # textual-image queries the terminal once at import, which must happen before the app runs
    from textual_image import renderable as _ti_renderable
    from textual_image import widget as _ti_widget
    from textual_image._terminal import get_cell_size as _get_cell_size

    from comfytui.ui.sixelfix import SixelImage as _SixelImage
except Exception:  # noqa: BLE001 - any failure means "use rich-pixels"
    _ti_widget = None
    _ti_renderable = None
    _get_cell_size = None
    _SixelImage = None


def detect_mode(protocol: str = "auto") -> Mode:
    """Renderer for a settings value. `auto`: what start-up chose from the terminal's answers
    (`comfytui.ui.imagesetup.prepare`, kept in `protocol.chosen()`); without that (tests, an
    app started without `run_tui`), what textual-image detected, else half-blocks."""
    if _ti_widget is None:
        return "pixels"
    mode = PROTOCOL_MODES.get((protocol or "auto").lower())
    if mode is not None:
        return mode
    decision = chosen()
    if decision is not None:
        return decision.mode
    detected = getattr(_ti_renderable, "Image", None)
    if detected is getattr(_ti_renderable, "SixelImage", object()):
        return "sixel"
    if detected is getattr(_ti_renderable, "TGPImage", object()):
        return "tgp"
    return "halfcell"  # a tty without graphics, or a test harness: half-blocks


def cell_geometry() -> CellGeometry:
    if _get_cell_size is None:
        return CellGeometry()
    try:
        size = _get_cell_size()
    except Exception:  # noqa: BLE001 - closed stdout and the like
        return CellGeometry()
    return CellGeometry(max(1, size.width), max(1, size.height))


def image_widget(mode: Mode, preview: Preview, ready: object = None) -> Widget:
    """A widget drawing `preview` exactly in `preview.cols` x `preview.rows` cells. `ready`: what
    the decode thread prepared: Sixel data (str) or a Kitty image (`kittyimage.KittyThumb`,
    sent to the terminal once per picture and size)."""
    if isinstance(ready, str):
        from comfytui.ui.sixelview import SixelView

        widget: Widget = SixelView(ready, preview.cols, preview.rows)
    elif ready is not None:
        widget = Static(ready, classes="kitty")
    elif mode == "pixels" or _ti_widget is None:
        from rich_pixels import Pixels

        widget = Static(Pixels.from_image(preview.image), classes="pixels")
    else:
        cls = {
            "tgp": _ti_widget.TGPImage,
            "sixel": _SixelImage,
            "unicode": _ti_widget.UnicodeImage,
        }.get(mode, _ti_widget.HalfcellImage)
        widget = cls(preview.image)
    widget.styles.width = preview.cols
    widget.styles.height = preview.rows
    widget.add_class("preview-image")
    return widget


def _prepare(mode: Mode, preview: Preview, cell: CellGeometry) -> object:
    """The slow part of drawing, done in the decode thread, not on the UI thread."""
    if mode == "sixel":
        from comfytui.ui.sixelview import encode

        return encode(preview.image)  # 0.2-0.9 s for a run-view-sized image
    if mode == "tgp":
        from comfytui.ui.kittyimage import KittyThumb

        return KittyThumb.build(preview.image, preview.cols, preview.rows, cell)
    return None


class ImagePreview(Widget):
    """Shows one saved image (or a placeholder) fitted to its own size, aspect ratio kept."""

    DEFAULT_CSS = """
    ImagePreview { height: 1fr; width: 1fr; }
    ImagePreview > Center { height: 1fr; align: center middle; }
    ImagePreview .placeholder { width: auto; height: auto; color: $text-muted; padding: 1 2; }
    """

    class Loaded(Message):
        """A decoded, scaled image is ready (posted from the decode thread)."""

        def __init__(self, token: int, preview: Preview, ready: object = None) -> None:
            super().__init__()
            self.token = token
            self.preview = preview
            self.ready = ready  # Sixel data or a Kitty image, made in the decode thread

    class Failed(Message):
        """The image cannot be shown; `reason` is one line."""

        def __init__(self, token: int, reason: str) -> None:
            super().__init__()
            self.token = token
            self.reason = reason

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        protocol: str = "auto",
        empty_text: str = "no image",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.mode: Mode = detect_mode(protocol)
        self.path: Path | None = Path(path) if path else None
        self.preview: Preview | None = None
        self.reason: str | None = None
        self.empty_text = empty_text
        self._shown_text = empty_text
        self._token = 0
        self._drawn_for: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        with Center():
            yield Static(Text(self._shown_text), classes="placeholder")

    def on_mount(self) -> None:
        if self.path is not None:
            self.call_after_refresh(self._reload)

    def show(self, path: str | Path | None, *, note: str | None = None) -> None:
        """Display `path` (decoded in a thread), or a placeholder saying `note`."""
        self.path = Path(path) if path else None
        self.preview = None
        self.reason = None
        self._drawn_for = None
        self._token += 1
        if self.path is None:
            self._placeholder(note or self.empty_text)
            return
        self._placeholder("loading…")
        if self.is_mounted:
            self._reload()

    def on_resize(self) -> None:
        if self.path is not None and self._drawn_for != self._space():
            self._token += 1
            self._reload()

    def _space(self) -> tuple[int, int]:
        size = self.content_size
        return max(1, size.width), max(1, size.height)

    def _reload(self) -> None:
        if self.path is None:
            return
        cols, rows = self._space()
        self._drawn_for = (cols, rows)
        self._decode(self._token, self.path, cols, rows)

    @work(thread=True, exclusive=True, group="image-preview", exit_on_error=False)
    def _decode(self, token: int, path: Path, cols: int, rows: int) -> None:
        ready: object = None
        try:
            cell = cell_geometry()
            preview = load_preview(path, cols, rows, mode=self.mode, cell=cell)
            if _ti_widget is not None and token == self._token:
                ready = _prepare(self.mode, preview, cell)
        except ImageError as exc:
            self.post_message(self.Failed(token, str(exc)))
        except Exception as exc:  # noqa: BLE001 - never crash on an image
            self.post_message(self.Failed(token, f"cannot show image: {type(exc).__name__}"))
        else:
            self.post_message(self.Loaded(token, preview, ready))

    def on_image_preview_loaded(self, message: Loaded) -> None:
        message.stop()
        if message.token != self._token:
            return
        same_cells = self.preview is not None and (self.preview.cols, self.preview.rows) == (
            message.preview.cols,
            message.preview.rows,
        )
        self.preview = message.preview
        self.reason = None
        if same_cells and self.query(".preview-image"):
            return  # the same picture in the same cells: keep it (nothing is sent again)
        center = self.query_one(Center)
        center.remove_children()
        center.mount(image_widget(self.mode, message.preview, message.ready))

    def on_image_preview_failed(self, message: Failed) -> None:
        message.stop()
        if message.token != self._token:
            return
        self.preview = None
        self.reason = message.reason
        self._placeholder(f"⚠ {message.reason}")

    def _placeholder(self, text: str) -> None:
        self._shown_text = text
        if not self.is_mounted:
            return
        center = self.query_one(Center)
        center.remove_children()
        center.mount(Static(Text(text), classes="placeholder"))
