"""Kitty graphics images (gallery thumbnails, run-view preview): each (picture, size) sent once.

The sends are counted where they leave for the terminal (`KittyImages.send`), in a unit test
and on the gallery screen (Pilot) while the cursor moves, pages turn and a GIF loops.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from rich.console import Console
from support_gallery import fill_gallery, finished_run
from support_ui import FIXED_NOW, settings_for, wait_until

from comfytui.services import Session
from comfytui.terminal import protocol
from comfytui.ui import kittyimage as kittythumb
from comfytui.ui.gallery.thumb import render_thumb, thumb_mode
from comfytui.ui.kittyimage import PLACEHOLDER, KittyImages, KittyThumb
from comfytui.ui.runs.decode import CellGeometry

CELL = CellGeometry(10, 20)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, **kwargs) -> None:
        self.calls.append(kwargs)

    def placements(self) -> list[dict]:
        return [c for c in self.calls if c.get("a") == "p"]


def _draw(renderable, width: int = 40) -> str:
    console = Console(file=io.StringIO(), width=width, color_system="truecolor")
    console.print(renderable)
    return console.file.getvalue()


def test_each_picture_and_size_is_sent_once():
    sent = Recorder()
    images = KittyImages(send=sent)
    red = Image.new("RGB", (64, 32), (200, 30, 30))
    thumb = KittyThumb.build(red, 24, 7, CELL, images)
    assert (thumb.cols, thumb.rows) == (14, 7) or thumb.cols * 10 / (thumb.rows * 20) == 2.0
    for _ in range(3):
        text = _draw(thumb)
    again = KittyThumb.build(red.copy(), 24, 7, CELL, images)  # same content, another object
    _draw(again)
    assert images.transmissions == 1 and len(sent.placements()) == 1
    placement = sent.placements()[0]
    assert (placement["c"], placement["r"], placement["U"]) == (thumb.cols, thumb.rows, 1)
    lines = [line for line in text.split("\n") if PLACEHOLDER in line]
    assert len(lines) == thumb.rows and all(line.count(PLACEHOLDER) == thumb.cols for line in lines)
    image_id = placement["i"]
    assert f"38;2;{(image_id >> 16) & 255};{(image_id >> 8) & 255};{image_id & 255}m" in text
    # another size or another picture: one more send each
    _draw(KittyThumb.build(red, 12, 4, CELL, images))
    _draw(KittyThumb.build(Image.new("RGB", (64, 32), (0, 0, 200)), 24, 7, CELL, images))
    assert images.transmissions == 3


def test_big_pictures_go_in_chunks_and_old_ones_are_deleted():
    sent = Recorder()
    images = KittyImages(send=sent, limit=2)
    noisy = Image.effect_noise((256, 256), 100).convert("RGB")
    _draw(KittyThumb.build(noisy, 40, 20, CELL, images))
    data = [c for c in sent.calls if "payload" in c]
    assert len(data) > 1 and [c["m"] for c in data] == [1] * (len(data) - 1) + [0]
    assert all(len(c["payload"]) <= 4096 for c in data)
    for colour in ((1, 2, 3), (4, 5, 6)):
        _draw(KittyThumb.build(Image.new("RGB", (8, 8), colour), 4, 2, CELL, images))
    deletes = [c for c in sent.calls if c.get("a") == "d"]
    assert len(deletes) == 1 and deletes[0]["i"] == sent.placements()[0]["i"]


def test_render_thumb_follows_the_start_up_choice():
    image = Image.new("RGB", (32, 32), (0, 128, 0))
    try:
        protocol.choose(protocol.Decision("sixel", "test"))
        assert thumb_mode() == "halfcell"  # Sixel terminals get half-blocks in the gallery
        assert not isinstance(render_thumb(image, 24, 7), KittyThumb)
        protocol.choose(protocol.Decision("tgp", "test"))
        assert isinstance(render_thumb(image, 24, 7), KittyThumb)
        assert not isinstance(render_thumb(image, 24, 7, 1.0), KittyThumb)  # compare's scale
    finally:
        protocol.choose(None)


@pytest.fixture
def kitty_chosen(monkeypatch):
    sent = Recorder()
    monkeypatch.setattr(kittythumb, "IMAGES", KittyImages(send=sent))
    protocol.choose(protocol.Decision("tgp", "test: kitty graphics chosen"))
    yield sent
    protocol.choose(None)


async def test_gallery_sends_each_thumbnail_once(emulator, kitty_chosen):
    from comfytui.ui.app import ComfyTUI
    from comfytui.ui.gallery.screen import GalleryScreen
    from tests.test_ui_gallery import shown

    images = kittythumb.IMAGES
    settings = settings_for(emulator)
    async with Session.open(settings) as session:
        await finished_run(session, "gif-out", {"prompt": "moving ball"})
        await fill_gallery(session.cache, session.outputs.root, 60)  # one shared picture
        app = ComfyTUI(settings, session=session, clock=lambda: FIXED_NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.session is not None and app.main.is_mounted)
            await pilot.press("5")
            await wait_until(
                pilot, lambda: isinstance(app.screen, GalleryScreen) and app.screen.painted, 60
            )
            screen = app.screen
            await wait_until(pilot, lambda: images.transmissions >= 1, timeout=30)
            view = shown(app)[0].view
            # the GIF under the cursor loops: every frame is sent once, the loops send nothing
            await wait_until(pilot, lambda: view.frames_shown > 2 * max(1, len(view._frames)), 60)
            await pilot.pause(0.3)
            first = images.transmissions
            assert first == len(images._ids)  # one send per distinct (picture, size)
            assert first <= len(view._frames) + 2  # GIF frames + its still + the shared PNG
            tour = (["right"] * 5, ["pagedown"], ["pageup"], ["left"] * 3, ["home"])
            for keys in tour:  # the first tour may meet new pictures (each sent once) ...
                await pilot.press(*keys)
                await wait_until(pilot, lambda: screen.painted, timeout=30)
            await pilot.pause(0.5)
            toured = images.transmissions
            assert toured == len(images._ids) == len(kitty_chosen.placements())
            for keys in tour * 2:  # ... the same tour again sends nothing
                await pilot.press(*keys)
                await wait_until(pilot, lambda: screen.painted, timeout=30)
            await pilot.pause(0.5)
            assert images.transmissions == toured, "thumbnails were sent again"


async def test_kitty_preview_sent_once_per_size(tmp_path, kitty_chosen):
    """The run view's preview in Kitty graphics: re-renders send nothing; a size seen before
    (the window resized and back) is not sent again."""
    from tests.test_ui_runs_preview import ProtocolApp, _settle

    path = tmp_path / "out.png"
    Image.effect_noise((300, 150), 60).convert("RGB").save(path)
    images = kittythumb.IMAGES
    app = ProtocolApp(path, "kitty")
    async with app.run_test(size=(60, 30)) as pilot:
        await _settle(app, pilot)
        await wait_until(pilot, lambda: images.transmissions == 1, timeout=20)
        shown = app.query_one(".preview-image")
        for _ in range(3):
            shown.refresh()
            app.refresh()
            await pilot.pause(0.1)
        assert images.transmissions == 1
        await pilot.resize_terminal(90, 40)
        await wait_until(pilot, lambda: images.transmissions == 2, timeout=20)
        await _settle(app, pilot)
        await pilot.resize_terminal(60, 30)
        await _settle(app, pilot)
        await wait_until(pilot, lambda: app.query_one(".preview-image").size.width <= 60, 20)
        await pilot.pause(0.5)
        assert images.transmissions == 2  # back at 60x30: that picture is still in the terminal
