"""Start-up: ask the terminal (once), choose the image renderer, and ready textual-image for it.

`prepare(setting)` runs before the app takes the terminal (ui/launch). When `image_protocol`
forces a renderer nothing is asked. Otherwise `comfytui.terminal.probe` asks every question in
one write, and textual-image (0.12) is imported with its own probe switched off: that probe asks
DA1, then (without Sixel) the Kitty query, each with its own 0.1 s timeout, so a terminal that
ignores the Kitty query (xterm without vt340, VTE, tmux) cost 0.1 s more at every start. Our
answer (and the cell size we found) is handed to textual-image instead.

Inside tmux with passthrough, Kitty graphics commands are wrapped for tmux (`ESC P tmux; ...`):
textual-image 0.12 writes them unwrapped and tmux would drop them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from comfytui.terminal.probe import TerminalFacts, probe
from comfytui.terminal.protocol import PROTOCOL_MODES, Decision, choose, decide

log = logging.getLogger("comfytui.images")
TMUX_START, TMUX_END = "\x1bPtmux;", "\x1b\\"


def tmux_wrap(sequence: str) -> str:
    """One terminal sequence inside tmux's passthrough envelope (its ESCs doubled)."""
    return TMUX_START + sequence.replace("\x1b", "\x1b\x1b") + TMUX_END


def prepare(setting: str = "auto", *, ask: Callable[[], TerminalFacts] = probe) -> Decision:
    """Decide the renderer for this process (kept in `protocol.chosen()`), logging why."""
    forced = PROTOCOL_MODES.get((setting or "auto").strip().lower())
    facts = TerminalFacts(tty=sys.__stdout__ is not None and sys.__stdout__.isatty())
    if forced is None:
        facts = ask()
    decision = decide(facts, setting)
    choose(decision)
    log.info("image renderer: %s (terminal probe %.0f ms)", decision.line(), facts.probe_ms)
    log.debug("terminal facts: %s", facts)
    # a forced Sixel or Kitty renderer still needs the cell size: textual-image asks for it
    _ready_textual_image(facts, asked=forced not in ("sixel", "tgp"))
    if decision.tmux_passthrough:
        _wrap_kitty_for_tmux()
    return decision


def _ready_textual_image(facts: TerminalFacts, *, asked: bool) -> None:
    """Import textual-image now (it must not query once Textual reads stdin), without its probe
    when ours has asked (or nothing needs asking); a failure means previews use rich-pixels."""
    try:
        from textual_image import _terminal
    except Exception:  # noqa: BLE001
        log.warning("textual-image cannot be imported; previews use rich-pixels", exc_info=True)
        return
    if facts.cell is not None:
        _terminal.get_cell_size._result = _terminal.CellSize(*facts.cell)  # type: ignore[attr-defined]
    if not asked or not facts.tty:
        _import_widgets()  # its own probe (forced setting, or no tty: it asks nothing then)
        return
    real = _terminal.capture_terminal_response

    def already_asked(*_args: object, **_kwargs: object) -> None:
        raise _terminal.TerminalError("the terminal was asked by comfytui.terminal.probe")

    _terminal.capture_terminal_response = already_asked  # type: ignore[assignment]
    try:
        _import_widgets()
    finally:
        _terminal.capture_terminal_response = real
        for name in ("textual_image.renderable.sixel", "textual_image.renderable.tgp"):
            module = sys.modules.get(name)
            if getattr(module, "capture_terminal_response", None) is already_asked:
                module.capture_terminal_response = real  # type: ignore[union-attr]


def _import_widgets() -> None:
    try:
        import textual_image.widget  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken probe must not stop the app
        log.warning("textual-image widgets cannot be imported", exc_info=True)


def _wrap_kitty_for_tmux() -> None:
    try:
        from textual_image.renderable import tgp
    except Exception:  # noqa: BLE001
        return
    send = getattr(tgp, "_send_tgp_message", None)
    if send is None or getattr(send, "comfytui_tmux", False):
        return

    def send_wrapped(*, payload: str | None = None, **kwargs: int | str | None) -> None:
        body = ",".join(f"{k}={v}" for k, v in kwargs.items() if v is not None)
        sequence = f"\x1b_G{body}{';' + payload if payload else ''}\x1b\\"
        out = sys.__stdout__
        if out is None:
            raise tgp.TerminalError("sys.__stdout__ is None")
        out.write(tmux_wrap(sequence))
        out.flush()

    send_wrapped.comfytui_tmux = True  # type: ignore[attr-defined]
    tgp._send_tgp_message = send_wrapped  # type: ignore[attr-defined]
