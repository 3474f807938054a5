"""Find an output image in a screenshot and score how faithfully the terminal drew it (Pillow only).

`locate` finds the image by its dominant colour: the columns and rows rich in screenshot pixels
near that colour give the left, right and bottom edges; the top edge comes from the source's aspect
ratio, refined by matching the lower four fifths only (so a wrong top band cannot steer where
the image is thought to be). `score` then compares the located crop with the source:

- `mean`: largest per-channel difference of the mean colours (0-255);
- `hist`: share of a coarse 4x4x4 colour histogram that would have to move (0-1);
- `worst_row`: the worst of 32 horizontal strips, each compared on a 16-column grid (mean
  absolute difference, 0-255). A wrongly coloured Sixel band (6 pixels) dominates its strip.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageChops, ImageStat

NEAR = 48  # a screenshot pixel this close (every channel) to the dominant colour belongs to it
GRID = (16, 32)


@dataclass(frozen=True)
class Match:
    box: tuple[int, int, int, int]  # left, top, right, bottom in the screenshot
    pixels: int  # screenshot pixels near the dominant colour


@dataclass(frozen=True)
class Score:
    mean: float
    hist: float
    worst_row: float

    def __str__(self) -> str:
        return f"mean {self.mean:.1f}, hist {self.hist:.3f}, worst row {self.worst_row:.1f}"


def dominant(source: Image.Image) -> tuple[int, int, int]:
    colours = source.convert("RGB").getcolors(maxcolors=source.width * source.height)
    return max(colours)[1]


def near_mask(shot: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    """L image: 255 where every channel of `shot` is within NEAR of `colour`."""
    solid = Image.new("RGB", shot.size, colour)
    red, green, blue = ImageChops.difference(shot, solid).split()
    worst = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return worst.point(lambda v: 255 if v <= NEAR else 0)


def count(mask: Image.Image) -> int:
    return mask.histogram()[255]


def locate(shot: Image.Image, source: Image.Image, min_pixels: int = 400) -> Match | None:
    colour = dominant(source)
    mask = near_mask(shot, colour)
    pixels = count(mask)
    if pixels < min_pixels:
        return None
    left, right = _span(mask.resize((mask.width, 1), Image.Resampling.BOX).getdata())
    _, bottom = _span(mask.resize((1, mask.height), Image.Resampling.BOX).getdata())
    width = right - left
    if width < 16:
        return None
    guess = round(width * source.height / source.width)
    best: tuple[float, int] | None = None
    for height in range(max(8, round(guess * 0.85)), round(guess * 1.15) + 1):
        top = bottom - height
        if top < 0:
            continue
        error = _lower_error(shot.crop((left, top, right, bottom)), source)
        if best is None or error < best[0]:
            best = (error, height)
    if best is None:
        return None
    return Match((left, bottom - best[1], right, bottom), pixels)


def _span(means) -> tuple[int, int]:  # noqa: ANN001 - a Pillow sequence of column/row means
    """First and one-past-last index whose share of near pixels is >= 10% of the fullest one.

    Coloured text elsewhere on the screen (a cyan status word) has a few near pixels per
    column; the image has hundreds.
    """
    values = list(means)
    floor = max(values) * 0.10
    hits = [i for i, v in enumerate(values) if v >= floor and v > 0]
    return hits[0], hits[-1] + 1


def _grid(image: Image.Image) -> Image.Image:
    return image.convert("RGB").resize(GRID, Image.Resampling.BOX)


def _lower_error(crop: Image.Image, source: Image.Image) -> float:
    a, b = _grid(crop), _grid(source)
    lower = (0, GRID[1] // 5, GRID[0], GRID[1])
    diff = ImageChops.difference(a.crop(lower), b.crop(lower))
    return sum(ImageStat.Stat(diff).mean) / 3


def score(shot: Image.Image, match: Match, source: Image.Image) -> Score:
    crop = shot.crop(match.box).convert("RGB")
    src = source.convert("RGB")
    mean = max(
        abs(a - b) for a, b in zip(ImageStat.Stat(crop).mean, ImageStat.Stat(src).mean, strict=True)
    )
    hist = _hist_distance(crop, src)
    diff = ImageChops.difference(_grid(crop), _grid(src))
    rows = [sum(ImageStat.Stat(diff.crop((0, y, GRID[0], y + 1))).mean) / 3 for y in range(GRID[1])]
    return Score(mean, hist, max(rows))


def _hist_distance(a: Image.Image, b: Image.Image) -> float:
    """Half the L1 distance of normalised 4x4x4 colour histograms (0: same, 1: disjoint)."""

    def hist(image: Image.Image) -> list[float]:
        small = image.resize((128, 128), Image.Resampling.BOX)
        bins = [0] * 64
        for r, g, b_ in small.getdata():
            bins[(r >> 6) * 16 + (g >> 6) * 4 + (b_ >> 6)] += 1
        total = sum(bins)
        return [v / total for v in bins]

    return sum(abs(x - y) for x, y in zip(hist(a), hist(b), strict=True)) / 2
