"""The theme names a config may choose (Textual's built-in themes), for the config checker."""

from __future__ import annotations


def builtin_theme_names() -> list[str]:
    from textual.theme import BUILTIN_THEMES

    return list(BUILTIN_THEMES)
