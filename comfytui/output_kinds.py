"""Which viewer an output file gets, chosen by its file extension as the dashboard does.

The data key an output came under (`images`, `gifs`, `audio`, `text_file`, `model_file`, ...)
is only a fallback: VHS reports MP4s under `gifs`, and unknown keys are kept as plain files.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePosixPath


class Viewer(StrEnum):
    IMAGE = "image"
    GIF = "gif"  # animated
    VIDEO = "video"
    AUDIO = "audio"
    TEXT = "text"
    MODEL = "model"  # 3D: glb, gltf, obj
    FILE = "file"  # anything else: a row with size and type


_BY_EXTENSION: dict[str, Viewer] = {
    **dict.fromkeys(("png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff"), Viewer.IMAGE),
    "gif": Viewer.GIF,
    **dict.fromkeys(("mp4", "webm", "mov", "mkv", "avi", "m4v"), Viewer.VIDEO),
    **dict.fromkeys(("mp3", "wav", "flac", "ogg", "m4a", "opus", "aac"), Viewer.AUDIO),
    **dict.fromkeys(("txt", "json", "md", "csv", "log", "yaml", "yml"), Viewer.TEXT),
    **dict.fromkeys(("glb", "gltf", "obj", "fbx", "stl", "ply"), Viewer.MODEL),
}
_BY_KEY: dict[str, Viewer] = {
    "images": Viewer.IMAGE,
    "gifs": Viewer.GIF,
    "video": Viewer.VIDEO,
    "video_url": Viewer.VIDEO,
    "audio": Viewer.AUDIO,
    "text_file": Viewer.TEXT,
    "text": Viewer.TEXT,
    "model_file": Viewer.MODEL,
    "mesh": Viewer.MODEL,
}
#: the output keys ComfyUI Deploy's output nodes and hosted models produce
KNOWN_KEYS = (*_BY_KEY, "files")


def extension(name: str) -> str:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix
    return suffix[1:].lower() if suffix else ""


def viewer_for(filename: str, key: str | None = None) -> Viewer:
    """The viewer by extension; without a known one, by the data key; else a plain file."""
    found = _BY_EXTENSION.get(extension(filename or ""))
    if found is not None:
        return found
    return _BY_KEY.get(key or "", Viewer.FILE)
