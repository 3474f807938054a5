"""Where the Textual stylesheets are: inside the installed package, or at the checkout's top level.

The source tree keeps them in a top-level `styles/` folder (the project's layout); the wheel ships
them as `comfytui/styles/` (hatch `force-include` in pyproject.toml). Both are found here, so an
installed wheel and an editable checkout load the same files.
"""

from __future__ import annotations

from pathlib import Path

#: the installed package's folder (not importlib.resources: it loads zipfile, ~10 ms at start-up,
#: for a package that is always installed as plain files)
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def styles_folder() -> Path:
    """The folder holding the `.tcss` files (packaged copy first, then the checkout's)."""
    packaged = _PACKAGE_DIR / "styles"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "styles"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"comfytui stylesheets not found in {packaged} or {checkout}")


def stylesheet_paths() -> list[Path]:
    """Every stylesheet, in a stable order (app.tcss first: later files refine it)."""
    paths = sorted(styles_folder().glob("*.tcss"))
    return sorted(paths, key=lambda p: (p.name != "app.tcss", p.name))
