"""Hostile data from the server and the disk: escape sequences, markup, 100 KB names, output
filenames that try to leave the outputs folder, images that are not images, broken cache files.

The TUI rendering of hostile names is in test_security_tui.py.
"""

from __future__ import annotations

import io
import sqlite3
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from comfytui.errors import ImageError
from comfytui.sanitize import plain, strip_escapes

OSC_TITLE = "\x1b]0;pwned title\x07"
OSC_CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
HOSTILE_NAMES = {
    "osc-title": f"{OSC_TITLE}[bold red]title[/]",
    "osc-52": f"clip{OSC_CLIPBOARD}board",
    "csi": "\x1b[2J\x1b[31mred\x1b[0m\x1b[?1049h",
    "osc-st": "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "c1": "\x9b31mc1\x9d0;t\x9c",
    "dcs": "\x1bP+q544e\x1b\\dcs",
    "markup-click": "[@click=app.quit]boom[/]",
    "controls": "bell\x07back\x08space\x00nul\r\nnew",
    "long": "L" * 100_000,
}
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\x9d", "\x9c", "\x00", "\x08", "\r")


def assert_inert(text: str) -> None:
    for ch in RAW_CONTROLS:
        assert ch not in text, f"raw {ch!r} in output: {text[:200]!r}"


# --- sanitize -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(HOSTILE_NAMES))
def test_strip_escapes_leaves_no_control(name):
    cleaned = strip_escapes(HOSTILE_NAMES[name])
    assert_inert(cleaned)
    assert "\n" not in plain(HOSTILE_NAMES[name])
    assert len(plain(HOSTILE_NAMES[name], 80)) <= 80


# --- CLI output -----------------------------------------------------------------------------------


def poison_emulator(emu: Any) -> dict[str, str]:
    """Give seed workflows (and so their deployments) and machines the hostile names."""
    names = list(HOSTILE_NAMES.values())
    with emu.state.lock:
        workflows = list(emu.state.workflows.values())
        for workflow, name in zip(workflows, names, strict=False):
            workflow["name"] = name
            workflow["description"] = name
        for machine, name in zip(emu.state.machines.values(), reversed(names), strict=False):
            machine["name"] = name
    return {w["id"]: w["name"] for w in workflows}


def run_cli(emu: Any, monkeypatch, capsys, argv: list[str]) -> tuple[int, str, str]:
    from comfytui.cli.main import main

    monkeypatch.setenv("COMFY_DEPLOY_API_KEY", emu.api_key)
    monkeypatch.setenv("COMFY_DEPLOY_API_URL", emu.api_url)
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


CLI_VIEWS = [
    ["ls", "workflows"],
    ["ls", "deployments"],
    ["ls", "machines"],
    ["ls", "workflows", "--json"],
    ["ls", "deployments", "--json"],
    ["ls", "workflows", "--offline"],
]


@pytest.mark.parametrize("argv", CLI_VIEWS, ids=[" ".join(a) for a in CLI_VIEWS])
def test_cli_prints_hostile_names_inert(emulator, monkeypatch, capsys, argv):
    poison_emulator(emulator)
    if "--offline" in argv:  # fill the cache first
        run_cli(emulator, monkeypatch, capsys, ["ls", "workflows"])
    code, out, err = run_cli(emulator, monkeypatch, capsys, argv)
    assert code == 0, err
    assert_inert(out)
    assert_inert(err)
    assert "boom" in out  # the text itself is still shown


def test_cli_show_hostile_workflow(emulator, monkeypatch, capsys):
    names = poison_emulator(emulator)
    for workflow_id in list(names)[:4]:
        code, out, err = run_cli(emulator, monkeypatch, capsys, ["show", "workflow", workflow_id])
        assert code == 0, err
        assert_inert(out + err)


# --- output filenames -----------------------------------------------------------------------------

EVIL_FILENAMES = [
    "../../../../etc/passwd",
    "/etc/passwd",
    "..\\..\\Windows\\win.ini",
    "C:\\Windows\\System32\\evil.dll",
    "a\x00b.png",
    "nul\x00",
    "CON",
    "nul.png",
    "COM1.txt",
    "lpt9",
    ".",
    "..",
    "",
    "...",
    ".bashrc",
    "sub/../../x.png",
    "x" * 1000 + ".png",
    "é" * 300 + ".png",
    "\x1b]0;title\x07.png",
    "name\nwith\nnewlines.png",
    "  spaced  .png",
    'a:b|c?d*e<f>g".png',
]


@pytest.mark.parametrize("filename", EVIL_FILENAMES, ids=[repr(f)[:40] for f in EVIL_FILENAMES])
@pytest.mark.parametrize("run_id", ["run-1", "../../escape", "/abs/run"])
def test_output_store_keeps_files_inside(tmp_path, filename, run_id):
    from comfytui.services.outputs import OutputStore

    root = tmp_path / "outputs"
    store = OutputStore(root)
    content = f"{run_id}/{filename}".encode("utf-8", "replace")
    stored = store.save(run_id, filename, content)
    path = Path(stored.path)
    assert path.resolve().is_relative_to(root.resolve())
    assert path.read_bytes() == content
    assert "\x00" not in path.name and len(path.name.encode()) <= 255
    assert path.parent.parent.resolve() == root.resolve()  # exactly <root>/<run>/<file>
    assert not path.name.startswith(".")


def test_output_store_collisions_never_overwrite(tmp_path):
    from comfytui.services.outputs import OutputStore

    store = OutputStore(tmp_path)
    paths = {store.save("r", "../same.png", bytes([n])).path for n in range(5)}
    assert len(paths) == 5
    assert sorted(Path(p).read_bytes() for p in paths) == [bytes([n]) for n in range(5)]


async def test_session_saves_hostile_output_names_inside(emulator):
    """A run whose outputs carry hostile filenames: saved through services inside the folder."""
    from dataclasses import replace

    from comfytui.models import OutputFile
    from comfytui.services import Session
    from comfytui.settings import load_settings
    from tests.test_reliability_faults import discover

    ids = await discover(emulator, Path("/tmp"))
    settings = load_settings(api_url=emulator.api_url, keyring_lookup=False)
    from comfytui.settings import Secret

    settings = replace(settings, api_key=Secret(emulator.api_key))
    async with Session.open(settings) as session:
        run = await session.catalog.get_run(ids.run)
        outputs = tuple(
            OutputFile(url=ids.output_url, filename=name, kind="images")
            for name in EVIL_FILENAMES[:12]
        )
        saved = await session.runs.save_outputs(replace(run, outputs=outputs))
    root = settings.locations.outputs_dir.resolve()
    assert saved
    for item in saved:
        assert Path(item.path).resolve().is_relative_to(root), item.path


# --- images ---------------------------------------------------------------------------------------


def png_chunk(tag: bytes, data: bytes) -> bytes:
    body = tag + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG claiming width x height with almost no data: a decompression bomb's header."""
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def real_png(size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


def zlib_bomb_png() -> bytes:
    """8000 x 8000 (64 MP) of zeros that compresses to ~60 KB."""
    width = height = 8000
    raw = (b"\x00" + b"\x00" * width * 3) * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + png_chunk(b"IDAT", zlib.compress(raw, 9))
        + png_chunk(b"IEND", b"")
    )


BAD_IMAGES = {
    "zero-bytes": lambda: b"",
    "truncated-png": lambda: real_png()[:60],
    "truncated-half": lambda: real_png((300, 300))[: len(real_png((300, 300))) // 2],
    "html": lambda: b"<html><body>502 Bad Gateway</body></html>",
    "json": lambda: b'{"detail": "Not Found"}',
    "random": lambda: bytes(range(256)) * 16,
    "png-magic-only": lambda: b"\x89PNG\r\n\x1a\n",
    "bomb-header-100k": lambda: png_header_only(100_000, 100_000),
    "bomb-header-9k": lambda: png_header_only(9_000, 9_000),
    "zero-width": lambda: png_header_only(0, 10),
    "bad-crc": lambda: real_png()[:-8] + b"\x00" * 8,
}


@pytest.mark.parametrize("kind", list(BAD_IMAGES))
@pytest.mark.parametrize("as_file", [False, True], ids=["bytes", "file"])
def test_bad_images_become_image_error(tmp_path, kind, as_file):
    from comfytui.ui.runs.decode import load_preview

    data = BAD_IMAGES[kind]()
    source: Any = io.BytesIO(data)
    if as_file:
        source = tmp_path / "out.png"
        source.write_bytes(data)
    try:
        preview = load_preview(source, 40, 20)
    except ImageError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    # a few damaged files still decode (Pillow tolerates a bad trailing CRC): then a real image
    assert kind in ("bad-crc",), f"{kind} decoded to {preview}"
    assert preview.cols <= 40 and preview.rows <= 20


def test_zlib_bomb_is_bounded(tmp_path):
    """64 MP of zeros in 60 KB: refused or decoded within the preview limit, never a crash."""
    from comfytui.ui.runs.decode import load_preview

    data = zlib_bomb_png()
    assert len(data) < 1_000_000
    try:
        preview = load_preview(io.BytesIO(data), 40, 20)
    except ImageError:
        return
    assert preview.cols <= 40 and preview.rows <= 20


def test_good_image_still_decodes():
    from comfytui.ui.runs.decode import load_preview

    preview = load_preview(io.BytesIO(real_png()), 40, 20)
    assert preview.cols <= 40 and preview.rows <= 20


# --- cache files ----------------------------------------------------------------------------------


def _truncated_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 200)
    conn.commit()
    conn.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _foreign_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE workflows (nonsense INTEGER)")
    conn.commit()
    conn.close()


def _newer_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 9999")
    conn.commit()
    conn.close()


def _garbled_pages(path: Path) -> None:
    """A SQLite header followed by garbage pages."""
    path.write_bytes(b"SQLite format 3\x00" + b"\x10\x00" + b"\xff" * 4000)


BAD_CACHES = {
    "empty": lambda p: p.write_bytes(b""),
    "text": lambda p: p.write_text("this is not a database\n" * 100),
    "random": lambda p: p.write_bytes(bytes(range(256)) * 64),
    "directory": lambda p: p.mkdir(),
    "truncated": _truncated_db,
    "foreign-schema": _foreign_db,
    "newer-schema": _newer_db,
    "garbled-pages": _garbled_pages,
    "header-only": lambda p: p.write_bytes(b"SQLite format 3\x00"),
}


@pytest.mark.parametrize("kind", list(BAD_CACHES))
async def test_malformed_cache_file_is_rebuilt(tmp_path, kind):
    from comfytui.cache import Cache
    from comfytui.models import Workflow

    path = tmp_path / "cache.db"
    BAD_CACHES[kind](path)
    cache = await Cache.open(path, "http://srv|acct")
    try:
        await cache.upsert_workflows([Workflow(id="w1", name="after rebuild")])
        assert [w.name for w in await cache.list_workflows()] == ["after rebuild"]
        if kind not in ("foreign-schema",):
            assert cache.notice and "\n" not in cache.notice
    finally:
        await cache.close()
    # and the rebuilt file opens again, without a notice
    again = await Cache.open(path, "http://srv|acct")
    try:
        assert [w.name for w in await again.list_workflows()] == ["after rebuild"]
        assert again.notice is None
    finally:
        await again.close()


async def test_preview_widget_shows_a_placeholder_for_every_bad_image(tmp_path):
    """The UI side: each bad file becomes the placeholder with a one-line reason; the app lives."""
    from textual.app import App, ComposeResult

    from comfytui.ui.runs.preview import ImagePreview

    class PreviewApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ImagePreview(None, protocol="halfblock", id="preview")

    app = PreviewApp()
    handled = []
    async with app.run_test(size=(80, 30)) as pilot:
        preview = app.query_one(ImagePreview)
        for kind, make in BAD_IMAGES.items():
            if kind == "bad-crc":
                continue  # Pillow decodes it: a picture, not a placeholder
            path = tmp_path / f"{kind}.png"
            path.write_bytes(make())
            preview.show(path)
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
            assert preview.preview is None, kind
            assert preview.reason and "\n" not in preview.reason, kind
            assert not preview.query(".preview-image"), kind
            handled.append(kind)
        assert app.is_running
    assert len(handled) == len(BAD_IMAGES) - 1
