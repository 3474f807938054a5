"""Output images that visibly depend on the run inputs: prompt drawn, seed colours, size."""

from __future__ import annotations

import hashlib
import io
import random
import threading
from collections import OrderedDict
from typing import Any

from PIL import Image, ImageDraw, ImageFont

MIN_SIDE, MAX_SIDE, DEFAULT_SIDE = 64, 2048, 512
_CACHE_SIZE = 64
_cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_lock = threading.Lock()


def _side(value: Any) -> int:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return DEFAULT_SIDE
    return max(MIN_SIDE, min(MAX_SIDE, number))


def _prompt(inputs: dict[str, Any]) -> str:
    if isinstance(inputs.get("prompt"), str):
        return inputs["prompt"]
    return next((v for v in inputs.values() if isinstance(v, str)), "")


def _seed(inputs: dict[str, Any], prompt: str) -> int:
    seed = inputs.get("seed")
    if isinstance(seed, int | float) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    return int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:4], "big")


def render(inputs: dict[str, Any], fmt: str = "png") -> bytes:
    """Draw the picture for these inputs: background and shapes from the seed, prompt text."""
    prompt = _prompt(inputs)
    rng = random.Random(_seed(inputs, prompt))
    width, height = _side(inputs.get("width")), _side(inputs.get("height"))
    top = tuple(rng.randrange(256) for _ in range(3))
    image = Image.new("RGB", (width, height), top)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randrange(8, max(9, min(width, height) // 3))
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    font = ImageFont.load_default(size=max(10, min(width, height) // 16))
    text = prompt[:200] or "(no prompt)"
    draw.rectangle((0, 0, width, max(14, min(width, height) // 10)), fill=(0, 0, 0))
    draw.text((4, 2), text, fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    if fmt == "webp":
        image.save(buffer, "WEBP", quality=80)
    else:
        image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def cached(key: tuple[str, str], inputs: dict[str, Any], fmt: str) -> bytes:
    """`render` behind a small LRU cache keyed by (run id, filename)."""
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    from comfytui.emulator import media  # GIF, MP4, WAV, text; images fall through to render

    content = media.render(inputs, fmt)
    with _lock:
        _cache[key] = content
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return content
