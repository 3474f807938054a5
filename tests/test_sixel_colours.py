"""Sixel colours as xterm draws them: a defined register is not selected until `#N` says so.

Issue 15: in `xterm -ti vt340` the top band of an image showed magenta where the source is
black. textual-image 0.12 defines each register on first use and sends the pixels right after,
which xterm draws in the previously selected register. The decoder below follows xterm's rule
(definitions change the palette, only `#N` alone selects; nothing selected draws in the VT340
default palette), so the raw encoder output fails and `select_after_define` passes.
"""

from __future__ import annotations

import re

from PIL import Image, ImageDraw
from textual_image._sixel import image_to_sixels

from comfytui.ui.sixelfix import select_after_define

VT340_DEFAULT = {i: (204, 36, 36) for i in range(256)}  # "not black": what xterm had selected
_TOKEN = re.compile(r'"[0-9;]*|#(\d+)((?:;\d+){4})?|!(\d+)([?-~])|([?-~])|(\$)|(-)')


def decode_like_xterm(sixels: str, size: tuple[int, int]) -> Image.Image:
    body = sixels[sixels.index("q") + 1 : sixels.rindex("\x1b")]
    palette = dict(VT340_DEFAULT)
    image = Image.new("RGB", size, (255, 255, 255))
    active: int | None = None
    x = band = 0

    def paint(char: str, count: int) -> None:
        nonlocal x
        bits = ord(char) - 0x3F
        colour = palette[active] if active is not None else VT340_DEFAULT[0]
        for _ in range(count):
            for row in range(6):
                y = band * 6 + row
                if bits >> row & 1 and x < size[0] and y < size[1]:
                    image.putpixel((x, y), colour)
            x += 1

    for match in _TOKEN.finditer(body):
        register, definition, count, repeated, single, cr, nl = match.groups()
        if register is not None:
            if definition:
                _, r, g, b = (int(v) for v in definition[1:].split(";"))
                palette[int(register)] = tuple(round(v * 255 / 100) for v in (r, g, b))
            else:
                active = int(register)
        elif repeated:
            paint(repeated, int(count))
        elif single:
            paint(single, 1)
        elif cr:
            x = 0
        elif nl:
            x, band = 0, band + 1
    return image


def _source() -> Image.Image:
    """Like the emulator's outputs: a black band on top, a coloured field below."""
    image = Image.new("RGB", (48, 36), (32, 239, 171))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 47, 8), fill=(0, 0, 0))
    draw.ellipse((10, 14, 30, 34), fill=(200, 30, 90))
    return image


def _top_band_error(decoded: Image.Image) -> int:
    return max(max(decoded.getpixel((x, y))) for x in range(48) for y in range(6))


def test_raw_encoder_output_draws_the_top_band_in_the_wrong_colour():
    raw = image_to_sixels(_source())
    assert _top_band_error(decode_like_xterm(raw, (48, 36))) > 100  # the bug this module fixes


def test_selected_registers_draw_the_source_colours():
    source = _source()
    decoded = decode_like_xterm(select_after_define(image_to_sixels(source)), source.size)
    assert _top_band_error(decoded) <= 3
    for x, y in ((5, 20), (20, 24), (47, 35)):
        assert all(
            abs(a - b) <= 3
            for a, b in zip(decoded.getpixel((x, y)), source.getpixel((x, y)), strict=True)
        )


def test_every_definition_is_followed_by_its_select():
    fixed = select_after_define(image_to_sixels(_source()))
    for match in re.finditer(r"#(\d+);2;\d+;\d+;\d+", fixed):
        assert fixed[match.end() :].startswith(f"#{match.group(1)}")
