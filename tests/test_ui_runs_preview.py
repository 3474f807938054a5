"""Output image preview: decoding guards (pure) and the preview widget in a tiny app."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image
from textual.app import App, ComposeResult

from comfytui.errors import ImageError
from comfytui.ui.runs.decode import CellGeometry, fit_cells, load_preview
from comfytui.ui.runs.preview import ImagePreview

CELL = CellGeometry(10, 20)


def _png(path: Path, size: tuple[int, int], mode: str = "RGB") -> Path:
    Image.new(mode, size, (200, 40, 40) if mode == "RGB" else None).save(path, "PNG")
    return path


# --- decoding -----------------------------------------------------------------------------------


def test_fit_keeps_aspect_ratio_inside_the_panel():
    assert fit_cells((1024, 512), 120, 40, CELL) == (120, 30)
    assert fit_cells((512, 1024), 120, 40, CELL) == (40, 40)
    assert fit_cells((512, 512), 74, 34, CELL) == (68, 34)
    assert fit_cells((1, 1), 1, 1, CELL) == (1, 1)


def test_preview_is_scaled_for_half_blocks(tmp_path):
    shown = load_preview(_png(tmp_path / "a.png", (1024, 512)), 120, 40, cell=CELL)
    assert (shown.cols, shown.rows) == (120, 30)
    assert shown.image.size == (120, 60)  # two pixels per cell, vertically
    assert shown.image.mode == "RGB"
    assert shown.source_size == (1024, 512)


def test_transparent_and_palette_images_are_flattened(tmp_path):
    path = tmp_path / "alpha.png"
    Image.new("RGBA", (64, 64), (255, 0, 0, 0)).save(path)
    shown = load_preview(path, 10, 10, cell=CELL)
    assert shown.image.mode == "RGB"
    jpeg = tmp_path / "big.jpg"
    Image.new("RGB", (2000, 1000), (0, 90, 200)).save(jpeg, "JPEG")
    assert load_preview(jpeg, 40, 20, mode="sixel", cell=CELL).image.size == (400, 200)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not an image"),
        (b"this is plain text, not a picture", "not an image"),
        ("truncated", "damaged image"),
    ],
)
def test_bad_files_raise_one_line_image_errors(tmp_path, data, reason):
    path = tmp_path / "bad.png"
    if data == "truncated":
        good = io.BytesIO()
        Image.effect_noise((256, 256), 50).save(good, "PNG")
        data = good.getvalue()[: len(good.getvalue()) // 2]
    path.write_bytes(data)
    with pytest.raises(ImageError) as caught:
        load_preview(path, 80, 30)
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000)).save(path, "PNG")  # ~50 KB on disk, 400 megapixels
    assert path.stat().st_size < 200_000
    with pytest.raises(ImageError, match="too large"):
        load_preview(path, 80, 30)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(ImageError, match="missing"):
        load_preview(tmp_path / "gone.png", 80, 30)


# --- the widget -----------------------------------------------------------------------------------


class PreviewApp(App[None]):
    def __init__(self, path: Path | None) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        yield ImagePreview(self.path, protocol="halfblock", id="preview")


async def _settle(app: App, pilot, timeout: float = 20.0) -> None:
    """Wait until the preview's worker is done and its image (or placeholder) is laid out at the
    fitted size: on a loaded machine layout can lag a few frames behind the worker."""

    def settled() -> bool:
        previews = app.query(ImagePreview)
        if not previews:
            return False
        preview = previews.first()
        if preview.preview is None:
            return bool(preview.reason) and bool(preview.query(".placeholder"))
        images = preview.query(".preview-image")
        return bool(images) and (images.first().size.width, images.first().size.height) == (
            preview.preview.cols,
            preview.preview.rows,
        )

    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()  # no wait_for_complete: a resize cancels and restarts the worker
        if settled():
            return
        if time.monotonic() > deadline:
            raise AssertionError("the preview did not settle")
        await pilot.pause(0.02)


async def test_widget_draws_half_blocks_that_fit_the_panel(tmp_path):
    app = PreviewApp(_png(tmp_path / "wide.png", (1024, 512)))
    async with app.run_test(size=(80, 30)) as pilot:
        await _settle(app, pilot)
        preview = app.query_one(ImagePreview)
        assert preview.reason is None and preview.preview is not None
        image = preview.query_one(".preview-image")
        assert type(image).__name__ == "HalfcellImage"
        assert (image.size.width, image.size.height) == (80, 20)  # 2:1 kept, full width
        assert image.size.width <= preview.content_size.width
        assert image.size.height <= preview.content_size.height


async def test_widget_shows_placeholder_for_a_corrupt_file_and_recovers(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    app = PreviewApp(bad)
    async with app.run_test(size=(80, 30)) as pilot:
        await _settle(app, pilot)
        preview = app.query_one(ImagePreview)
        assert preview.preview is None
        assert preview.reason and "\n" not in preview.reason
        assert not preview.query(".preview-image")
        assert preview.reason in str(preview.query_one(".placeholder").render())
        preview.show(_png(tmp_path / "ok.png", (300, 300)))
        await _settle(app, pilot)
        assert preview.reason is None
        assert preview.query(".preview-image")


async def test_widget_rescales_when_the_terminal_resizes(tmp_path):
    app = PreviewApp(_png(tmp_path / "sq.png", (512, 512)))
    async with app.run_test(size=(80, 30)) as pilot:
        await _settle(app, pilot)
        first = app.query_one(".preview-image").size
        await pilot.resize_terminal(50, 20)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and [i.size for i in app.query(".preview-image")] in (
            [],
            [first],
        ):
            await pilot.pause(0.02)
        await _settle(app, pilot)
        second = app.query_one(".preview-image").size
        assert second.height <= 20 and second.width <= 50
        assert second != first


class ProtocolApp(App[None]):
    def __init__(self, path: Path, protocol: str) -> None:
        super().__init__()
        self.path = path
        self.protocol = protocol

    def compose(self) -> ComposeResult:
        yield ImagePreview(self.path, protocol=self.protocol)


@pytest.mark.parametrize(
    ("protocol", "widget"),
    [
        ("halfblock", "HalfcellImage"),
        ("pixels", "Static"),
        ("unicode", "UnicodeImage"),
        ("kitty", "Static"),  # a Kitty image sent once (ui/kittyimage.py), placeholder text
        ("sixel", "sixelview.SixelView"),  # encoded in the decode thread (ui/sixelview.py)
        ("auto", "HalfcellImage"),  # no terminal graphics under the test harness
    ],
)
async def test_every_renderer_mounts_at_the_fitted_size(tmp_path, protocol, widget):
    path = tmp_path / "out.webp"
    Image.effect_noise((300, 150), 60).convert("RGB").save(path, "WEBP")
    app = ProtocolApp(path, protocol)
    async with app.run_test(size=(60, 30)) as pilot:
        await _settle(app, pilot)
        preview = app.query_one(ImagePreview)
        assert preview.reason is None
        image = preview.query_one(".preview-image")
        kind = type(image)
        assert f"{kind.__module__}.{kind.__name__}".endswith(widget)
        assert (image.size.width, image.size.height) == (60, 15)


# --- run view texts (pure) ------------------------------------------------------------------------


def test_run_texts_are_literal_and_times_add_up():
    from datetime import UTC, datetime, timedelta

    from comfytui.models import Run, RunStatus
    from comfytui.ui.runs.runinfo import Timeline, inputs_text, problem_text, times_text

    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    run = Run(
        "r1",
        RunStatus.FAILED,
        created_at=t0,
        started_at=t0 + timedelta(seconds=5),
        ended_at=t0 + timedelta(seconds=65),
        error="[@click=app.quit]boom[/] \x1b[31mred",
        inputs={"prompt": "[bold]x[/]", "steps": 20},
    )
    assert times_text(run, t0 + timedelta(hours=1)).plain == "Elapsed 1m05s   Queue 5s"
    problem = problem_text(run)
    assert "[@click=app.quit]boom[/]" in problem.plain and "\x1b" not in problem.plain
    assert inputs_text(run.inputs).plain == "prompt [bold]x[/]\nsteps 20"
    timeline = Timeline()
    timeline.record(run)
    timeline.record(run)
    assert [label for _, label in timeline.entries] == ["created", "started", "failed"]
