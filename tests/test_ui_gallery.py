"""Gallery screen (Pilot): fills from saved outputs, offline, filter, windowed 10,000, compare."""

from __future__ import annotations

from support_gallery import fill_gallery, finished_run
from support_ui import FIXED_NOW, settings_for, wait_until

from comfytui.services import Session
from comfytui.ui.app import ComfyTUI
from comfytui.ui.gallery.cards import GalleryCard
from comfytui.ui.gallery.compare import CompareScreen
from comfytui.ui.gallery.screen import GalleryScreen
from comfytui.ui.gallery.thumb import ThumbView

SIZE = (120, 40)
FAST = {"retry_attempts": 1}


def shown(app) -> list[GalleryCard]:
    return [c for c in app.screen.query(GalleryCard) if c.item is not None]


def card_text(card: GalleryCard) -> str:
    return str(card.query_one(".caption").render())


def gallery_ready(app) -> bool:
    screen = app.screen
    return isinstance(screen, GalleryScreen) and screen.loaded and bool(screen.cards)


async def _open_gallery(pilot, app) -> GalleryScreen:
    await wait_until(pilot, lambda: app.session is not None and app.main.is_mounted)
    await pilot.press("5")
    await wait_until(pilot, lambda: gallery_ready(app), timeout=30)
    return app.screen  # type: ignore[return-value]


async def test_gallery_fills_from_saved_outputs_and_opens_the_run(emulator):
    settings = settings_for(emulator)
    async with Session.open(settings) as session:
        for prompt in ("red fox", "blue whale"):
            await finished_run(session, "webp-out", {"prompt": prompt})
        await finished_run(session, "gif-out", {"prompt": "moving ball"})
        app = ComfyTUI(settings, session=session, clock=lambda: FIXED_NOW)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open_gallery(pilot, app)
            await wait_until(pilot, lambda: len(shown(app)) >= 3, timeout=30)
            first = shown(app)[0]
            assert first.item.viewer.value == "gif"  # newest first
            assert "gif-out" in card_text(first) and "success" in card_text(first)
            # thumbnails arrive (made in a worker), with the GIF's duration in the caption
            await wait_until(pilot, lambda: "↻" in card_text(shown(app)[0]), timeout=30)
            assert list(session.gallery.thumbnails.folder.glob("*.png"))
            # the GIF under the cursor plays (frames decoded in a worker) ...
            view = shown(app)[0].view
            await wait_until(pilot, lambda: view.frames_shown > 1, timeout=30)
            await pilot.press("right")
            assert screen.cursor == 1 and shown(app)[1].has_class("-cursor")
            assert not view.animating  # ... and stops when the cursor leaves it
            await pilot.press("enter")
            await wait_until(pilot, lambda: type(app.screen).__name__ == "RunScreen")
            assert app.screen.run_id == screen.current.run_id
            await wait_until(pilot, lambda: app.screen.run is not None and app.screen.current)
            assert app.screen.current.url == screen.current.url


async def test_gallery_works_offline_and_filters(emulator_factory):
    emu = emulator_factory()
    settings = settings_for(emu)
    async with Session.open(settings, client_options=FAST) as session:
        await finished_run(session, "txt2img", {"prompt": "a red fox"})
        await finished_run(session, "txt2img", {"prompt": "a grey wolf"})
        await finished_run(session, "text-out", {"prompt": "a caption"})
    emu.stop()
    async with Session.open(settings, client_options=FAST) as session:
        app = ComfyTUI(settings, session=session, clock=lambda: FIXED_NOW)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.state.offline, timeout=30)
            screen = await _open_gallery(pilot, app)
            assert screen.total >= 3
            await wait_until(pilot, lambda: "caption" in str(shown(app)[0].view.render()))
            await pilot.press("slash")
            await pilot.press(*"wolf", "enter")
            await wait_until(pilot, lambda: screen.total == 1 and len(shown(app)) == 1)
            assert screen.current is not None
            await pilot.press("slash")
            await pilot.press(*(["backspace"] * 4), *"deployment:text-out", "enter")
            await wait_until(pilot, lambda: screen.total == 1)
            assert shown(app)[0].item.deployment == "text-out"
            await pilot.press("slash")
            await pilot.press("ctrl+u", *"nothing-like-this", "enter")
            await wait_until(pilot, lambda: screen.total == 0)
            assert "match the filter" in str(screen.query_one("#gallery-status").render())


async def test_ten_thousand_outputs_are_windowed(emulator):
    settings = settings_for(emulator)
    async with Session.open(settings) as session:
        await fill_gallery(session.cache, session.outputs.root, 10_000)
        app = ComfyTUI(settings, session=session, clock=lambda: FIXED_NOW)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open_gallery(pilot, app)
            assert screen.total >= 10_000  # (+ the seeded runs' outputs, fetched on demand)
            cards = screen.cards
            assert 1 <= len(cards) <= 40  # one screenful of widgets, not 10,000
            assert len(screen.items) == len(cards)
            await pilot.press("end")
            await wait_until(
                pilot, lambda: screen.current is not None and screen.cursor == screen.total - 1
            )
            assert screen.current.run_id == "run-09999"
            assert len(screen.query(GalleryCard)) == len(cards)
            await pilot.press("home", "pagedown")
            await wait_until(pilot, lambda: screen.current is not None)
            assert screen.cursor == screen.page_size


async def test_compare_shows_the_varying_inputs_under_each(emulator):
    settings = settings_for(emulator)
    async with Session.open(settings) as session:
        for seed in (11, 22, 33):
            await finished_run(session, "txt2img", {"prompt": "same prompt", "steps": seed})
        await finished_run(session, "gif-out", {"prompt": "animated"})
        app = ComfyTUI(settings, session=session, clock=lambda: FIXED_NOW)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open_gallery(pilot, app)
            await pilot.press("c")
            assert isinstance(app.screen, GalleryScreen)  # nothing marked: a notice
            await pilot.press("right", "space", "right", "space", "right", "space")
            assert len(screen.marked) == 3
            await pilot.press("left", "space")  # unmark one
            assert len(screen.marked) == 2
            await pilot.press("home", "space", "c")
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
            compare = app.screen
            await wait_until(pilot, lambda: compare.ready, timeout=30)
            texts = [str(s.render()) for s in compare.query(".compare-inputs")]
            assert len(texts) == 3
            assert all("prompt" in t for t in texts)  # gif-out's prompt differs from the rest
            assert any("steps: 33" in t for t in texts) and any("steps: 11" in t for t in texts)
            views = list(compare.query(ThumbView))
            await wait_until(pilot, lambda: any(v.frames_shown > 1 for v in views), timeout=30)
            await pilot.press("escape")
            assert app.screen is screen


async def test_n_starts_a_run_for_the_tile_under_the_cursor(emulator):
    """`n` on the gallery acts on the focused tile's run (its deployment), not a picker."""
    from comfytui.ui.runs import RunFormScreen

    settings = settings_for(emulator)
    async with Session.open(settings) as session:
        older = await finished_run(session, "webp-out", {"prompt": "red fox"})
        await finished_run(session, "gif-out", {"prompt": "moving ball"})
        app = ComfyTUI(settings, session=session, clock=lambda: FIXED_NOW)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open_gallery(pilot, app)
            await wait_until(pilot, lambda: len(shown(app)) >= 2, timeout=30)
            await pilot.press("right")  # newest first: the webp-out run's tile
            assert screen.current is not None and screen.current.run_id == older.id
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, RunFormScreen), timeout=30)
            assert app.screen.deployment.id == older.deployment_id
