"""Server text is data: strip terminal escape sequences before printing, escape markup for Rich."""

from __future__ import annotations

import re

# CSI, OSC (BEL or ST terminated), DCS/SOS/PM/APC strings, and lone two-byte escapes.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]            # CSI ... final byte
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)? # OSC ... BEL or ST (or unterminated)
  | \x1b[PX^_][^\x1b]*(?:\x1b\\)?      # DCS / SOS / PM / APC strings
  | \x1b[@-Z\\-_]                      # other 2-byte escapes
  | \x9b[0-?]*[ -/]*[@-~]              # 8-bit CSI
  | \x9d[^\x07\x9c]*[\x07\x9c]?        # 8-bit OSC
    """,
    re.VERBOSE,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_escapes(text: object, *, keep_newlines: bool = False) -> str:
    """Remove escape sequences and control characters so text cannot drive the terminal."""
    cleaned = _ESCAPES.sub("", str(text))
    if not keep_newlines:
        cleaned = cleaned.replace("\n", " ").replace("\t", " ")
    return _CONTROLS.sub("", cleaned)


def plain(text: object, limit: int | None = None) -> str:
    """One line of server text safe for any renderer: no escapes, no controls, capped length."""
    if type(text) is str and text.isascii() and text.isprintable():
        cleaned = text  # nothing to strip (the common case: `ls` calls this for every cell)
    else:
        cleaned = strip_escapes("" if text is None else text)
    if limit is not None and len(cleaned) > limit:
        return cleaned[: max(limit - 1, 0)] + "…"
    return cleaned
