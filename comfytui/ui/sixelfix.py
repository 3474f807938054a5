"""Sixel that every terminal colours right: each colour register is selected after it is defined.

textual-image 0.12 defines a colour register the first time it is used (`#N;2;R;G;B`) and sends
the pixels straight after, relying on the spec rule that a freshly defined register becomes the
active colour. xterm (379, `-ti vt340`) and WezTerm do not follow that rule: they keep drawing in
the previously selected register. In the first sixel band no register had been selected yet, so
xterm drew it in its default VT340 palette (red/magenta where the source is black: issue 15's
"magenta band"); later bands select every colour explicitly (`#N`) and came out right.

`SixelImage` here is textual-image's Sixel widget with one change: after every register
definition the encoded string selects that register (`#N;2;R;G;B#N`), a few bytes per colour.
textual-image 0.13 fixed the same bug by defining the palette up front; this keeps 0.12 right.
"""

from __future__ import annotations

import re

from PIL import Image as PILImage
from textual.app import ComposeResult
from textual_image.widget.sixel import Image as _SixelImage
from textual_image.widget.sixel import _ImageSixelImpl, _NoopRenderable

#: a colour register definition: `#` register `;2;` (RGB percentages) r `;` g `;` b
_DEFINITION = re.compile(r"(#\d+)(;2;\d+;\d+;\d+)")


def select_after_define(sixels: str) -> str:
    """`sixels` with every register definition followed by an explicit select of it."""
    return _DEFINITION.sub(r"\1\2\1", sixels)


class _SelectingImpl(_ImageSixelImpl):
    def _image_to_sixels(self, image: PILImage.Image, sixel_options=None, background=None) -> str:  # noqa: ANN001 - textual-image's signature
        return select_after_define(super()._image_to_sixels(image, sixel_options, background))


class SixelImage(_SixelImage, Renderable=_NoopRenderable):
    """textual-image's Sixel widget, with registers selected after they are defined."""

    def compose(self) -> ComposeResult:
        yield _SelectingImpl(self.image, self._sixel_options)
