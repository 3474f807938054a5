"""Run view: the inline image keeps its aspect ratio and re-fits at once when the terminal resizes."""

from __future__ import annotations

import time

from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs.preview import ImagePreview
from tests.test_ui_runs_view import _start, wait_until
from tests.support_ui import settings_for


def _image_fits(preview: ImagePreview) -> bool:
    shown = preview.preview
    images = preview.query(".preview-image")
    if shown is None or not images:
        return False
    size = images.first().size
    space = preview.content_size
    return (
        (size.width, size.height) == (shown.cols, shown.rows)
        and (shown.cols <= space.width and shown.rows <= space.height)
        and (shown.cols == space.width or shown.rows == space.height)
    )


async def test_preview_refits_at_once_on_resize(emulator):
    app = ComfyTUI(settings_for(emulator, image_protocol="halfblock"))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(pilot, app, "txt2img", width="512", height="256")
        preview = view.query_one(ImagePreview)
        await wait_until(pilot, lambda: _image_fits(preview), timeout=30)
        before = (preview.preview.cols, preview.preview.rows)
        for size in ((80, 30), (160, 50), (100, 24)):
            started = time.monotonic()
            await pilot.resize_terminal(*size)
            await wait_until(
                pilot,
                lambda: (
                    _image_fits(preview) and (preview.preview.cols, preview.preview.rows) != before
                ),
                timeout=30,
            )
            print(size, time.monotonic() - started, preview.preview.cols, preview.preview.rows)
            before = (preview.preview.cols, preview.preview.rows)
