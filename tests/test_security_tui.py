"""The TUI with hostile server data and under failures: names shown literally (no markup, no
escape sequence reaches the terminal), and the key in no notification or screen capture."""

from __future__ import annotations

from typing import Any

from comfytui.ui.app import ComfyTUI
from tests.support_ui import cell_texts, panes_filled, settings_for
from tests.test_reliability_faults import session_for
from tests.test_reliability_tui import SIZE, poll
from tests.test_security_hostile import RAW_CONTROLS, poison_emulator


def rendered_lines(app: ComfyTUI) -> list[str]:
    """The text of every line the compositor would send to the terminal for the screen."""
    strips = app.screen._compositor.render_strips()  # noqa: SLF001
    return ["".join(segment.text for segment in strip) for strip in strips]


def segment_texts(app: ComfyTUI) -> str:
    return "\n".join(rendered_lines(app))


async def test_hostile_names_render_literally(emulator):
    poison_emulator(emulator)
    async with session_for(emulator) as session:
        app = ComfyTUI(settings_for(emulator), session=session)
        async with app.run_test(size=SIZE) as pilot:
            await poll(pilot, lambda: panes_filled(app))
            cells = [c for row in cell_texts(app.main.pane("workflows").table) for c in row]
            text = "\n".join(cells)
            for ch in RAW_CONTROLS:
                assert ch not in text, f"{ch!r} in a table cell"
            # markup is data: the brackets are shown, not interpreted
            assert any("[@click=app.quit]boom[/]" in c for c in cells)
            assert any("[bold red]title[/]" in c for c in cells)
            assert max(len(c) for c in cells) < 5_000  # the 100 KB name is cut for display
            for index in range(4):
                await pilot.press(str(index + 1))
                await pilot.pause(0.05)
                screen = segment_texts(app)
                for ch in RAW_CONTROLS:
                    assert ch not in screen, f"{ch!r} reached the terminal (pane {index + 1})"
            await pilot.press("1")
            await pilot.pause(0.1)
            screen = segment_texts(app)
            assert "[@click=app.quit]boom[/]" in screen
            # open each hostile workflow's detail screen: same rule there
            table = app.main.pane("workflows").table
            for row in range(min(table.row_count, 4)):
                table.move_cursor(row=row)
                await pilot.press("enter")
                await pilot.pause(0.3)
                screen = segment_texts(app)
                for ch in RAW_CONTROLS:
                    assert ch not in screen, f"{ch!r} on the detail screen of row {row}"
                assert app.is_running
                if app.screen is not app.main:
                    await pilot.press("escape")
                    await pilot.pause(0.1)
            assert app.is_running  # the [@click=app.quit] name did not quit the app


def loading(app: ComfyTUI) -> bool:
    return any(w.group == "pane-load" and not w.is_finished for w in app.workers)


async def test_key_in_no_notification_or_screenshot(emulator):
    """Failures of every kind end in notifications; none holds the key, nor does any capture."""
    key = emulator.api_key
    async with session_for(emulator) as session:
        app = ComfyTUI(settings_for(emulator), session=session)
        async with app.run_test(size=SIZE) as pilot:
            await poll(pilot, lambda: panes_filled(app))
            captures = [app.export_screenshot()]
            for kind in ("401", "403", "500", "malformed", "drop"):
                emulator.add_fault(kind=kind)
                for pane in app.main.panes:
                    pane.revalidated = False
                app.action_refresh()
                # every pane's load has ended (in a failure, or its offline fallback)
                await poll(pilot, lambda: not loading(app))
                captures.append(app.export_screenshot())
                emulator.clear_faults()
            await pilot.press("question_mark")
            await pilot.pause(0.2)
            captures.append(app.export_screenshot())
            notes = [f"{n.title} {n.message}" for n in app._notifications]  # noqa: SLF001
            assert notes, "no notification to check"
            for text in (*notes, *captures, segment_texts(app)):
                assert key not in text
                assert key[8:-8] not in text


async def test_session_open_failure_message_has_no_key(emulator, monkeypatch):
    """The session fails to open (the key is a local of the failing frame): the app leaves with
    one line for stderr (ui/app.py on_session_ready), which holds no key."""
    from comfytui.cache import Cache

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Cache, "open", broken)
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=SIZE) as pilot:
        await poll(pilot, lambda: app.return_code is not None or bool(app._notifications))  # noqa: SLF001
        said = [str(n.message) for n in app._notifications]  # noqa: SLF001
        said.append(str(getattr(app, "exit_message", "") or ""))
        screenshot = app.export_screenshot()
    assert any("disk on fire" in text for text in said)
    for text in (*said, screenshot):
        assert emulator.api_key not in text
        assert "\n" not in text.strip() or text is screenshot
