"""Which renderer draws images: a pure decision from what the terminal said, and the setting.

`decide(facts, setting) -> Decision(mode, reason)`; `facts` come from `comfytui.terminal.probe`.

- `image_protocol` other than `auto` forces its renderer.
- Kitty graphics (TGP) only where textual-image's way of placing images works: Unicode
  placeholders, which kitty has since 0.28 and ghostty since 1.0. Other terminals that answer
  the Kitty query (WezTerm, Konsole) do not draw placeholders; they get Sixel when DA1 lists 4.
- Sixel when DA1 lists attribute 4 (xterm -ti vt340, mlterm, foot, WezTerm, Konsole...).
- Inside tmux the DA1 answer is tmux's own: 4 means tmux draws Sixel itself. Kitty graphics
  reach the outer terminal only through tmux passthrough (`allow-passthrough on`), and only when
  that outer terminal (tmux `client_termtype`) draws placeholders; otherwise half-blocks.
- Anything else (or no answer): half-blocks, which every terminal shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from comfytui.terminal.probe import TerminalFacts

#: the renderers: textual-image's Kitty graphics, Sixel, half-blocks, unicode, and rich-pixels
Mode = Literal["halfcell", "unicode", "sixel", "tgp", "pixels"]

#: settings.image_protocol -> renderer mode
PROTOCOL_MODES: dict[str, Mode] = {
    "kitty": "tgp",
    "tgp": "tgp",
    "sixel": "sixel",
    "halfblock": "halfcell",
    "halfcell": "halfcell",
    "unicode": "unicode",
    "pixels": "pixels",
}
MODE_NAMES: dict[Mode, str] = {
    "tgp": "kitty graphics",
    "sixel": "sixel",
    "halfcell": "half-blocks",
    "unicode": "unicode blocks",
    "pixels": "half-blocks (rich-pixels)",
}
KITTY_PLACEHOLDERS = (0, 28)  # first kitty with Unicode placeholders
_NAME_VERSION = re.compile(r"^\s*([A-Za-z][\w.+-]*?)[\s(]+v?(\d+(?:\.\d+)*)")


@dataclass(frozen=True)
class Decision:
    mode: Mode
    reason: str
    tmux_passthrough: bool = False  # kitty graphics must be wrapped for tmux

    @property
    def name(self) -> str:
        return MODE_NAMES.get(self.mode, self.mode)

    def line(self) -> str:
        return f"{self.name}: {self.reason}"


def terminal_identity(text: str | None) -> tuple[str, tuple[int, ...] | None] | None:
    """("kitty", (0, 26, 5)) from an XTVERSION / client_termtype answer such as "kitty(0.26.5)"."""
    if not text:
        return None
    match = _NAME_VERSION.match(text)
    if match is None:
        name = text.strip().split("(")[0].split()[0].lower() if text.strip() else ""
        return (name, None) if name else None
    return match.group(1).lower(), tuple(int(p) for p in match.group(2).split("."))


def _version_str(version: tuple[int, ...] | None) -> str:
    return ".".join(map(str, version)) if version else "?"


def _from_env(env: dict[str, str]) -> tuple[str, tuple[int, ...] | None] | None:
    program = env.get("TERM_PROGRAM", "").lower()
    if program and program != "tmux":
        version = env.get("TERM_PROGRAM_VERSION", "")
        parsed = terminal_identity(f"{program} {version}") if version else None
        return parsed or (program, None)
    if env.get("KITTY_WINDOW_ID") or env.get("TERM") == "xterm-kitty":
        return "kitty", None
    if env.get("TERM") == "xterm-ghostty":
        return "ghostty", None
    return None


def placeholders(identity: tuple[str, tuple[int, ...] | None] | None) -> bool | None:
    """Does this terminal draw Kitty Unicode placeholders? None: not known (version unknown)."""
    if identity is None:
        return False
    name, version = identity
    if name == "ghostty":
        return True
    if name == "kitty":
        return None if version is None else version >= KITTY_PLACEHOLDERS
    return False


def _kitty_no(identity: tuple[str, tuple[int, ...] | None]) -> str:
    name, version = identity
    if version is None:
        return f"{name} did not say its version (kitty graphics need kitty >= 0.28)"
    return f"{name} {_version_str(version)} has no Unicode placeholders (kitty >= 0.28 does)"


def decide(facts: TerminalFacts, setting: str = "auto") -> Decision:
    """The renderer for these terminal answers and environment, with a one-line reason."""
    forced = PROTOCOL_MODES.get((setting or "auto").strip().lower())
    if forced is not None:
        return Decision(forced, f'image_protocol = "{setting}" in the config forces it')
    if not facts.tty:
        return Decision("halfcell", "not a terminal (no graphics query possible)")
    sixel = 4 in (facts.da1 or ())
    if facts.in_tmux:
        return _decide_tmux(facts, sixel)
    identity = terminal_identity(facts.xtversion) or _from_env(dict(facts.env))
    if identity is None and facts.env.get("TERM"):
        identity = (facts.env["TERM"], None)  # a name for the reason only
    can_place = placeholders(identity)
    if can_place and (facts.kitty_graphics or facts.da1 is None):
        return Decision("tgp", f"{_who(identity)} draws kitty graphics with Unicode placeholders")
    if sixel:
        why = f"{_who(identity)} lists Sixel in its DA1 answer"
        if facts.kitty_graphics and identity is not None and not can_place:
            why += f"; {_kitty_no(identity) if identity[0] == 'kitty' else _no_ph(identity)}"
        return Decision("sixel", why)
    if identity is not None and identity[0] == "kitty" and not can_place:
        return Decision("halfcell", _kitty_no(identity))
    if facts.kitty_graphics:
        return Decision("halfcell", f"{_who(identity)} answers kitty graphics: {_no_ph(identity)}")
    if facts.da1 is None:
        return Decision("halfcell", f"{facts.error or 'the terminal did not answer'}")
    return Decision("halfcell", f"{_who(identity)} has no Sixel or kitty graphics")


def _who(identity: tuple[str, tuple[int, ...] | None] | None) -> str:
    if identity is None:
        return "the terminal"
    name, version = identity
    return f"{name} {_version_str(version)}" if version else name


def _no_ph(identity: tuple[str, tuple[int, ...] | None] | None) -> str:
    return f"{_who(identity)} does not draw Unicode placeholders"


def _decide_tmux(facts: TerminalFacts, sixel: bool) -> Decision:
    if sixel:
        return Decision("sixel", "tmux draws Sixel itself (its DA1 answer lists 4)")
    outer = terminal_identity(facts.tmux_client) or _from_env(dict(facts.env))
    passthrough = (facts.tmux_passthrough or "").lower() in ("on", "all")
    if not passthrough:
        state = facts.tmux_passthrough or "unknown"
        return Decision("halfcell", f"in tmux without Sixel, allow-passthrough {state}")
    label = _who(outer) if outer is not None else "unknown"
    if placeholders(outer):
        return Decision(
            "tgp",
            f"in tmux with allow-passthrough on; the outer terminal ({label}) draws kitty graphics",
            tmux_passthrough=True,
        )
    if outer is not None and outer[0] == "kitty":
        return Decision("halfcell", f"in tmux, outer terminal: {_kitty_no(outer)}")
    return Decision(
        "halfcell", f"in tmux; the outer terminal ({label}) draws no kitty placeholders"
    )


# -- the decision of this process (made once in launch, before the app starts) --

_chosen: Decision | None = None


def choose(decision: Decision | None) -> None:
    global _chosen
    _chosen = decision


def chosen() -> Decision | None:
    return _chosen
