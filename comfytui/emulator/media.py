"""Non-image outputs made deterministically from the run inputs: GIF, MP4, WAV and text.

Which data key of `outputs[].data` each format is reported under follows the output nodes:
VHS video combine reports GIFs and MP4s as `gifs`, audio savers `audio`, text savers
`text_file` (the text itself also as a plain string under `text`).
"""

from __future__ import annotations

import hashlib
import io
import math
import random
import struct
import wave
from fractions import Fraction
from typing import Any

from PIL import Image, ImageDraw

from comfytui.emulator import images

MEDIA_TYPES = {
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "wav": "audio/wav",
    "txt": "text/plain; charset=utf-8",
}
OUTPUT_KEYS = {"gif": "gifs", "mp4": "gifs", "wav": "audio", "txt": "text_file"}
FRAMES, SIDE, FPS = 8, 96, 8
AUDIO_RATE, AUDIO_SECONDS = 8000, 1.5


def output_key(fmt: str) -> str:
    return OUTPUT_KEYS.get(fmt, "images")


def _rng(inputs: dict[str, Any]) -> random.Random:
    prompt = images._prompt(inputs)
    return random.Random(images._seed(inputs, prompt))


def _frames(inputs: dict[str, Any]) -> list[Image.Image]:
    """A ball moving across a seeded background, one frame per step."""
    rng = _rng(inputs)
    background = tuple(rng.randrange(256) for _ in range(3))
    colour = tuple(rng.randrange(256) for _ in range(3))
    y = rng.randrange(16, SIDE - 16)
    frames = []
    for index in range(FRAMES):
        frame = Image.new("RGB", (SIDE, SIDE), background)
        x = 12 + index * (SIDE - 24) // (FRAMES - 1)
        ImageDraw.Draw(frame).ellipse((x - 10, y - 10, x + 10, y + 10), fill=colour)
        frames.append(frame)
    return frames


def render_gif(inputs: dict[str, Any]) -> bytes:
    frames = _frames(inputs)
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], duration=1000 // FPS, loop=0
    )
    return buffer.getvalue()


def render_mp4(inputs: dict[str, Any]) -> bytes:
    """An H.264 MP4 (PyAV's bundled encoder), bit-identical for the same inputs."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width = stream.height = SIDE
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, FPS)
        stream.options = {"threads": "1"}
        container.metadata["title"] = images._prompt(inputs)[:80]
        for index, image in enumerate(_frames(inputs)):
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def render_wav(inputs: dict[str, Any]) -> bytes:
    """Mono 16-bit tones whose pitch follows the seed, fading out."""
    rng = _rng(inputs)
    pitch = 220 + rng.randrange(440)
    count = int(AUDIO_RATE * AUDIO_SECONDS)
    samples = (
        int(12000 * (1 - i / count) * math.sin(2 * math.pi * pitch * i / AUDIO_RATE))
        for i in range(count)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(AUDIO_RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return buffer.getvalue()


def render_text(inputs: dict[str, Any]) -> bytes:
    prompt = images._prompt(inputs)
    digest = hashlib.sha256(repr(sorted(inputs.items())).encode()).hexdigest()[:12]
    return f"caption: {prompt}\nseed: {inputs.get('seed')}\ndigest: {digest}\n".encode()


def text_value(inputs: dict[str, Any]) -> str:
    """The plain string a text output node reports next to its file."""
    return f"caption: {images._prompt(inputs)}"


def render(inputs: dict[str, Any], fmt: str) -> bytes:
    renderers = {"gif": render_gif, "mp4": render_mp4, "wav": render_wav, "txt": render_text}
    renderer = renderers.get(fmt)
    return renderer(inputs) if renderer else images.render(inputs, fmt)
