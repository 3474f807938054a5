"""Thumbnails of saved outputs, made once (in a worker thread) and kept in a cache folder.

Every kind gets a small picture where one makes sense: images and GIFs their (first) frame,
videos a poster frame (PyAV, which bundles its own ffmpeg), audio a waveform (stdlib `wave` for
WAV, PyAV for the rest); their duration is kept in the PNG's text chunk. Text files give their
first lines (shown escaped by the UI); models and other files no picture (a row: size, type).
A thumbnail is named by the file's SHA-256, so it is made once whatever run or path shares it.
Nothing here raises for a bad file: the result carries a one-line `note` instead.
"""

from __future__ import annotations

import os
import tempfile
import warnings
import wave
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, PngImagePlugin

from comfytui.output_kinds import Viewer, viewer_for

SIDE = 128  # thumbnail pixels (longest side)
PIXEL_LIMIT = 64 * 1024 * 1024
TEXT_BYTES = 2048
MAX_FRAMES = 48  # GIF frames decoded for an animation
BACKGROUND = (24, 24, 24)
WAVE = (120, 200, 255)


@dataclass(frozen=True, slots=True)
class Thumb:
    viewer: Viewer
    image: Image.Image | None = None  # RGB, longest side <= SIDE
    duration: float | None = None  # seconds (video, audio, animated GIF)
    text: str | None = None  # the first lines of a text file (raw: escape before showing)
    note: str = ""  # one line: why there is no picture
    source_size: tuple[int, int] | None = None  # the file's pixels (compare draws at one scale)


def _flatten(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img.convert("RGB")


def _small(img: Image.Image, side: int = SIDE) -> Image.Image:
    frame = _flatten(img)
    frame.thumbnail((side, side), Image.Resampling.BILINEAR)
    return frame


def _open_image(path: Path) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        img = Image.open(path)
    if img.size[0] * img.size[1] > PIXEL_LIMIT or min(img.size) <= 0:
        img.close()
        raise ValueError(f"too large to preview ({img.size[0]}×{img.size[1]} pixels)")
    return img


def image_thumb(path: Path, viewer: Viewer) -> Thumb:
    with _open_image(path) as img:
        if img.format == "JPEG":
            img.draft("RGB", (SIDE, SIDE))
        frames = getattr(img, "n_frames", 1)
        duration = None
        if frames > 1:
            duration = frames * (img.info.get("duration") or 100) / 1000
        return Thumb(viewer, _small(img), duration, source_size=img.size)


def gif_frames(path: Path, side: int, fps_cap: float = 10.0) -> tuple[list[Image.Image], float]:
    """Up to MAX_FRAMES frames scaled to `side` and the delay between them (frame-rate cap)."""
    frames: list[Image.Image] = []
    delay = 0.1
    with _open_image(path) as img:
        delay = max((img.info.get("duration") or 100) / 1000, 1 / fps_cap)
        for index in range(min(getattr(img, "n_frames", 1), MAX_FRAMES)):
            img.seek(index)
            frames.append(_small(img, side))
    return frames, delay


def video_thumb(path: Path) -> Thumb:
    import av

    with av.open(str(path), metadata_errors="ignore") as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        duration = None
        if container.duration:
            duration = container.duration / 1_000_000
        elif stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        if stream.width * stream.height > PIXEL_LIMIT:
            raise ValueError("video frame too large to preview")
        for frame in container.decode(stream):
            image = frame.to_image()
            return Thumb(Viewer.VIDEO, _small(image), duration, source_size=image.size)
    return Thumb(Viewer.VIDEO, None, duration, note="no video frames")


def _waveform(peaks: list[float]) -> Image.Image:
    width, height = SIDE, SIDE // 2
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    top = max(peaks, default=0.0) or 1.0
    for x, peak in enumerate(peaks[:width]):
        half = max(1, int(peak / top * (height // 2 - 1)))
        draw.line((x, height // 2 - half, x, height // 2 + half), fill=WAVE)
    return image


def _peaks(samples: list[float], columns: int = SIDE) -> list[float]:
    if not samples:
        return []
    step = max(1, len(samples) // columns)
    return [max(map(abs, samples[i : i + step])) for i in range(0, len(samples), step)][:columns]


def audio_thumb(path: Path) -> Thumb:
    if path.suffix.lower() == ".wav":
        try:
            return _wav_thumb(path)
        except (wave.Error, EOFError):
            pass  # not PCM (float, compressed): PyAV reads those
    import av

    samples: list[float] = []
    with av.open(str(path), metadata_errors="ignore") as container:
        stream = container.streams.audio[0]
        duration = container.duration / 1_000_000 if container.duration else None
        for frame in container.decode(stream):
            data = frame.to_ndarray()
            samples.extend(float(v) for v in data.reshape(-1)[:: max(1, data.size // 256)])
            if len(samples) > 200_000:
                break
    return Thumb(Viewer.AUDIO, _waveform(_peaks(samples)), duration)


def _wav_thumb(path: Path) -> Thumb:
    import array

    with wave.open(str(path), "rb") as wav:
        rate, count, width = wav.getframerate(), wav.getnframes(), wav.getsampwidth()
        channels = wav.getnchannels()
        duration = count / rate if rate else None
        wanted = min(count, 2_000_000)
        raw = wav.readframes(wanted)
    if width == 2:
        values = array.array("h", raw[: len(raw) // 2 * 2])
        samples = [float(v) for v in values[::channels]]
    elif width == 1:
        samples = [float(b - 128) for b in raw[::channels]]
    else:  # 24/32-bit: the high byte of each sample is enough for a picture
        samples = [
            float(int.from_bytes(raw[i : i + width], "little", signed=True))
            for i in range(0, len(raw) - width + 1, width * channels)
        ]
    return Thumb(Viewer.AUDIO, _waveform(_peaks(samples)), duration)


def text_thumb(path: Path) -> Thumb:
    with path.open("rb") as fh:
        head = fh.read(TEXT_BYTES)
    return Thumb(Viewer.TEXT, text=head.decode("utf-8", "replace"))


def make_thumb(path: Path, filename: str | None = None) -> Thumb:
    """The thumbnail of one file (no caching); a bad file gives a Thumb with a note."""
    viewer = viewer_for(filename or path.name)
    try:
        if viewer in (Viewer.IMAGE, Viewer.GIF):
            return image_thumb(path, viewer)
        if viewer is Viewer.VIDEO:
            return video_thumb(path)
        if viewer is Viewer.AUDIO:
            return audio_thumb(path)
        if viewer is Viewer.TEXT:
            return text_thumb(path)
    except FileNotFoundError:
        return Thumb(viewer, note="saved file is missing")
    except (MemoryError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Thumb(viewer, note="too large to preview (decompression-bomb guard)")
    except Exception as exc:  # noqa: BLE001 - Pillow/PyAV raise many types; one line instead
        reason = " ".join(str(exc).split())[:80] or type(exc).__name__
        return Thumb(viewer, note=f"no preview: {reason}")
    return Thumb(viewer)


class ThumbnailCache:
    """`<folder>/<sha256>.png`: a thumbnail made once per distinct file content."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _file(self, sha256: str) -> Path:
        name = "".join(c for c in sha256.lower() if c in "0123456789abcdef")[:64] or "none"
        return self.folder / f"{name}.png"

    def cached(self, sha256: str, path: Path, filename: str | None = None) -> Thumb | None:
        """The cached thumbnail, or None when it has not been made (cheap: one file read)."""
        viewer = viewer_for(filename or path.name)
        if viewer not in (Viewer.IMAGE, Viewer.GIF, Viewer.VIDEO, Viewer.AUDIO):
            return None
        target = self._file(sha256)
        try:
            with Image.open(target) as img:
                img.load()
                text = getattr(img, "text", {}) or {}
                duration = float(text["duration"]) if text.get("duration") else None
                width, _, height = str(text.get("size", "")).partition("x")
                size = (int(width), int(height)) if width.isdigit() and height.isdigit() else None
                return Thumb(viewer, img.convert("RGB"), duration, source_size=size)
        except (OSError, ValueError, SyntaxError):
            return None

    def get(self, sha256: str, path: Path, filename: str | None = None) -> Thumb:
        """Cached, or made now and stored (call from a worker thread)."""
        hit = self.cached(sha256, path, filename)
        if hit is not None:
            return hit
        thumb = make_thumb(path, filename)
        if thumb.image is not None and sha256:
            self._store(self._file(sha256), thumb)
        return thumb

    def _store(self, target: Path, thumb: Thumb) -> None:
        assert thumb.image is not None
        info = PngImagePlugin.PngInfo()
        if thumb.duration is not None:
            info.add_text("duration", f"{thumb.duration:.3f}")
        if thumb.source_size is not None:
            info.add_text("size", f"{thumb.source_size[0]}x{thumb.source_size[1]}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".png", dir=self.folder)
            with os.fdopen(fd, "wb") as fh:
                thumb.image.save(fh, "PNG", pnginfo=info, compress_level=1)
            os.replace(tmp, target)
        except OSError:
            return  # a read-only cache folder only costs remaking it next time
