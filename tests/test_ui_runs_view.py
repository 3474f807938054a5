"""Run view against the emulator: progress rising, image shown, cancel, failure, upload, corrupt."""

from __future__ import annotations

from pathlib import Path

import httpx
from PIL import Image

from comfytui.models import RunStatus
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs import RunFormScreen, RunScreen
from comfytui.ui.runs.confirm import ConfirmScreen
from comfytui.ui.runs.preview import ImagePreview
from tests.support_ui import poll_until as wait_until
from tests.support_ui import settings_for


async def _start(pilot, app: ComfyTUI, name: str, **values: str) -> RunScreen:
    await wait_until(pilot, lambda: app.session is not None)
    listing = await app.session.catalog.refresh_deployments()
    deployment = next(d for d in listing.items if d.name == name and d.environment == "production")
    app.push_screen(RunFormScreen(deployment))
    await wait_until(pilot, lambda: isinstance(app.screen, RunFormScreen) and app.screen.fields)
    form = app.screen
    for field in form.fields:
        if field.spec.input_id in values:
            field.set_value(values[field.spec.input_id])
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, RunScreen), timeout=15)
    return app.screen  # type: ignore[return-value]


def _progress_log(app: ComfyTUI) -> list[float]:
    seen: list[float] = []
    app.run_watcher.updated.subscribe(
        app.run_watcher, lambda run: seen.append(run.progress or 0.0), immediate=True
    )
    return seen


async def test_run_progress_rises_and_success_shows_the_image(emulator_factory):
    emu = emulator_factory(speed=0.25)  # a run of ~14 s: several polls land while it executes
    app = ComfyTUI(settings_for(emu))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        seen = _progress_log(app)
        view = await _start(pilot, app, "txt2img", width="512", height="256")
        await wait_until(pilot, lambda: view.run is not None and view.run.is_terminal, timeout=20)
        assert view.run.status is RunStatus.SUCCESS
        rising = [p for p in seen if 0 < p < 1]
        assert len(set(rising)) >= 2 and rising == sorted(rising), seen
        preview = view.query_one(ImagePreview)

        def laid_out() -> bool:
            # the preview is computed first; the image widget gets its size on the next layout
            shown = preview.preview
            images = preview.query(".preview-image")
            return (
                shown is not None
                and bool(images)
                and (images.first().size.width, images.first().size.height)
                == (shown.cols, shown.rows)
            )

        await wait_until(pilot, laid_out, timeout=20)
        image = preview.query_one(".preview-image")
        await wait_until(pilot, lambda: image.size.width > 0, timeout=10)  # laid out
        shown = preview.preview
        source = Path(str(preview.path))
        assert source.is_file()
        with Image.open(source) as img:
            width, height = img.size
        assert shown.source_size == (width, height)
        # fits the panel, keeps the aspect ratio (cells are twice as high as wide)
        assert image.size.width <= preview.content_size.width
        assert image.size.height <= preview.content_size.height
        assert (image.size.width, image.size.height) == (shown.cols, shown.rows)
        cell_ratio = (shown.cols * 10) / (shown.rows * 20)
        assert abs(cell_ratio - width / height) / (width / height) < 0.1
        assert image.size.height == preview.content_size.height or (
            image.size.width == preview.content_size.width
        )
        assert str(source) in str(view.query_one("#output-path").render())
        # y copies the URL; o says what it did in one line
        await pilot.press("y")
        assert app.clipboard == view.current.url
        await pilot.press("o")


async def test_cancel_after_confirm(emulator_factory):
    emu = emulator_factory(speed=0.1)  # a run of ~34 s: still running when the cancel is confirmed
    app = ComfyTUI(settings_for(emu))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(pilot, app, "txt2img")
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # declined: nothing happens
        await wait_until(pilot, lambda: app.screen is view)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: view.run is not None and view.run.status is RunStatus.CANCELLED,
            timeout=20,
        )
        assert "cancelled" in str(view.query_one("#run-status").render())


async def test_failing_deployment_shows_its_error(emulator):
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(pilot, app, "broken")
        await wait_until(pilot, lambda: view.run is not None and view.run.is_terminal, timeout=15)
        assert view.run.status is RunStatus.FAILED
        assert view.run.error
        error = view.query_one("#run-error")
        assert error.display
        assert view.run.error.split()[0] in str(error.render())


async def test_local_image_is_uploaded_without_the_key_at_the_storage_host(
    emulator_factory, tmp_path
):
    emu = emulator_factory(dialect="legacy")
    picture = tmp_path / "init.png"
    Image.new("RGB", (64, 64), (10, 200, 10)).save(picture)
    httpx.delete(f"{emu.base_url}/_emulator/requests")
    app = ComfyTUI(settings_for(emu))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(pilot, app, "txt2img", init_image=str(picture))
        assert view.run is not None
        uploaded = view.run.inputs.get("init_image")
        assert isinstance(uploaded, str) and uploaded.startswith("http")
    log = httpx.get(f"{emu.base_url}/_emulator/requests").json()
    storage_port = int(emu.storage_url.rsplit(":", 1)[1])
    at_storage = [r for r in log if r["port"] == storage_port]
    assert any(r["method"] == "PUT" for r in at_storage)
    for request in at_storage:
        headers = {k.lower() for k in request["headers"]}
        assert "authorization" not in headers
        assert emu.api_key not in str(request)


async def test_corrupt_output_image_gives_the_placeholder(emulator):
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(pilot, app, "txt2img")
        await wait_until(pilot, lambda: view.saved, timeout=15)
        saved = Path(next(iter(view.saved.values())).path)
        saved.write_bytes(saved.read_bytes()[:100])  # truncated on disk
        run_id = view.run_id
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.main)
        app.push_screen(RunScreen(run_id))
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen._ready())
        preview = app.screen.query_one(ImagePreview)
        await wait_until(pilot, lambda: preview.reason is not None, timeout=10)
        assert "\n" not in preview.reason
        assert not preview.query(".preview-image")


async def test_left_right_step_through_outputs(emulator):
    from comfytui.models import OutputFile, Run

    outputs = tuple(
        OutputFile(url=f"https://example.invalid/out/{n}.png", filename=f"{n}.png")
        for n in ("first", "second", "third")
    )
    run = Run("not-on-the-server", RunStatus.SUCCESS, outputs=outputs)
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None)
        app.push_screen(RunScreen(run.id, run=run))
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen._ready())
        view = app.screen
        await wait_until(pilot, lambda: "1/3" in str(view.query_one("#output-caption").render()))
        await pilot.press("right", "right")
        assert "3/3" in str(view.query_one("#output-caption").render())
        await pilot.press("right")
        assert view.index == 0
        await pilot.press("left")
        assert view.current.filename == "third.png"
        await pilot.press("y")
        assert app.clipboard == "https://example.invalid/out/third.png"
        # not downloadable: the placeholder says why in one line, nothing crashes
        preview = view.query_one(ImagePreview)
        assert preview.preview is None
        await pilot.press("o")
        await pilot.press("c")  # already ended: a notice, no confirm
        assert app.screen is view
