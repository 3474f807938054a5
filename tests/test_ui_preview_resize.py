"""Run view: the inline image keeps its aspect ratio and re-fits when the terminal resizes.

It used to re-fit seconds late: textual-image encoded the Sixel in `render_lines` on the UI
thread (0.2-0.9 s each) once per intermediate size. Now the decode thread encodes it once for
the final cells; the UI thread only places it.
"""

from __future__ import annotations

import threading

import pytest

from comfytui.ui import sixelview
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs.decode import CellGeometry, fit_cells
from comfytui.ui.runs.preview import ImagePreview
from tests.support_ui import settings_for
from tests.test_ui_runs_view import _start, wait_until

SOURCE = (512, 256)


def _fits(preview: ImagePreview, cell: CellGeometry) -> bool:
    """The shown image is the current space's fit, and its widget has exactly those cells."""
    shown = preview.preview
    images = preview.query(".preview-image")
    if shown is None or not images:
        return False
    space = preview.content_size
    expected = fit_cells(SOURCE, space.width, space.height, cell)
    size = images.first().size
    return (shown.cols, shown.rows) == expected == (size.width, size.height)


@pytest.mark.parametrize("protocol", ["sixel", "halfblock"])
async def test_preview_refits_on_resize_keeping_the_aspect_ratio(emulator, monkeypatch, protocol):
    threads: list[str] = []
    real_encode = sixelview.encode

    def encode(image):
        threads.append(threading.current_thread().name)
        return real_encode(image)

    monkeypatch.setattr(sixelview, "encode", encode)
    app = ComfyTUI(settings_for(emulator, image_protocol=protocol))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(pilot, app, "txt2img", width="512", height="256")
        preview = view.query_one(ImagePreview)
        from comfytui.ui.runs.preview import cell_geometry

        cell = cell_geometry()
        if protocol == "halfblock":
            cell = CellGeometry(1, 2)  # half-blocks: one pixel wide, two high per cell
        await wait_until(pilot, lambda: _fits(preview, cell), timeout=30)
        shown = []
        for size in ((80, 30), (160, 50), (100, 24)):
            await pilot.resize_terminal(*size)
            await wait_until(
                pilot, lambda size=size: app.size == size and _fits(preview, cell), timeout=30
            )
            cols, rows = preview.preview.cols, preview.preview.rows
            # aspect ratio kept: pixel width / height within one cell of 2:1
            width, height = cols * cell.width, rows * cell.height
            assert abs(width / height - 2.0) <= 2.0 * (1 / cols + 1 / rows), (cols, rows)
            shown.append((cols, rows))
        assert len(set(shown)) == 3, shown  # each size got its own fit
        if protocol == "sixel":
            assert threads, "the Sixel was encoded"
            assert threading.main_thread().name not in threads  # never on the UI thread
            image = preview.query_one(".preview-image")
            assert isinstance(image, sixelview.SixelView)
            assert image.data.startswith("\x1bP") and image.emitted >= 1
        else:
            assert threads == []
