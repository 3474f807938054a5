"""Every output kind parsed, saved and previewed; the gallery service (filters, paging, compare)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from support_gallery import fill_gallery, finished_run

from comfytui.api.parse_v2 import parse_run
from comfytui.errors import ProtocolError
from comfytui.models import Run
from comfytui.output_kinds import Viewer, viewer_for
from comfytui.services import Session
from comfytui.services.gallery import GalleryFilter, differing_inputs
from comfytui.services.outputs import OutputStore
from comfytui.services.thumbnails import ThumbnailCache, make_thumb
from comfytui.settings import Secret, load_settings


def settings_for(emu):
    base = load_settings(keyring_lookup=False)
    return replace(base, api_url=emu.api_url, api_key=Secret(emu.api_key), key_source="flag")


def _item(name: str) -> dict:
    return {
        "url": f"https://cdn.example/o/{name}",
        "filename": name,
        "subfolder": "",
        "type": "output",
    }


def test_every_output_key_is_parsed_and_gets_a_viewer_by_extension():
    data = {
        "images": [_item("a.png"), _item("b.webp")],
        "gifs": [_item("c.gif"), _item("d.mp4"), _item("e.webm")],
        "files": [_item("f.bin")],
        "audio": [_item("g.wav"), "https://cdn.example/o/h.flac"],
        "text_file": [_item("i.json")],
        "text": ["a caption", "second line"],
        "model_file": [_item("j.glb")],
        "mesh": ["https://cdn.example/o/k.obj"],
        "video": [_item("l.mp4")],
        "video_url": ["https://cdn.example/o/m.webm"],
        "brand_new_key": [_item("n.xyz")],
    }
    run = parse_run({"id": "r1", "status": "success", "outputs": [{"data": data}]})
    kinds = {o.filename: (o.kind, viewer_for(o.filename, o.kind)) for o in run.outputs}
    assert kinds == {
        "a.png": ("images", Viewer.IMAGE),
        "b.webp": ("images", Viewer.IMAGE),
        "c.gif": ("gifs", Viewer.GIF),
        "d.mp4": ("gifs", Viewer.VIDEO),
        "e.webm": ("gifs", Viewer.VIDEO),
        "f.bin": ("files", Viewer.FILE),
        "g.wav": ("audio", Viewer.AUDIO),
        "h.flac": ("audio", Viewer.AUDIO),
        "i.json": ("text_file", Viewer.TEXT),
        "j.glb": ("model_file", Viewer.MODEL),
        "k.obj": ("mesh", Viewer.MODEL),
        "l.mp4": ("video", Viewer.VIDEO),
        "m.webm": ("video_url", Viewer.VIDEO),
        "n.xyz": ("brand_new_key", Viewer.FILE),  # unknown keys are kept as files
    }
    assert run.texts == ("a caption", "second line")
    assert viewer_for("noext", "audio") is Viewer.AUDIO  # no extension: the key decides


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)
OUTPUT_KEYS = st.sampled_from(
    ["images", "gifs", "files", "audio", "text_file", "text", "mesh", "video_url", "x"]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    body=JSON,
    outputs=st.lists(st.dictionaries(OUTPUT_KEYS, JSON, max_size=4), max_size=3),
)
def test_arbitrary_json_gives_a_run_or_one_protocol_error(body, outputs):
    for data in (body, {"id": "r", "status": "success", "outputs": [{"data": d} for d in outputs]}):
        try:
            run = parse_run(data)
        except ProtocolError:
            continue
        assert isinstance(run, Run)
        for output in run.outputs:
            assert isinstance(viewer_for(output.filename, output.kind), Viewer)


async def test_each_emulator_output_kind_is_saved_and_previewed(emulator, tmp_path):
    async with Session.open(settings_for(emulator)) as session:
        for name in ("gif-out", "mp4-out", "wav-out", "text-out"):
            await finished_run(session, name, {"prompt": f"kind {name}"})
        page = await session.gallery.page()
        by_viewer = {item.viewer: item for item in page.items}
        assert set(by_viewer) >= {Viewer.GIF, Viewer.VIDEO, Viewer.AUDIO, Viewer.TEXT}
        root = session.outputs.root.resolve()
        for item in page.items:
            assert root in item.path.resolve().parents
        gif = session.gallery.thumb(by_viewer[Viewer.GIF])
        assert gif.image is not None and gif.duration and gif.duration > 0.5
        video = session.gallery.thumb(by_viewer[Viewer.VIDEO])
        assert video.image is not None and video.duration and 0.5 < video.duration < 2
        audio = session.gallery.thumb(by_viewer[Viewer.AUDIO])
        assert audio.image is not None and abs(audio.duration - 1.5) < 0.01
        text = session.gallery.thumb(by_viewer[Viewer.TEXT])
        assert text.text is not None and "caption: kind text-out" in text.text
        # made once: the second read comes from the thumbnail folder
        folder = session.gallery.thumbnails.folder
        assert len(list(folder.glob("*.png"))) == 3
        again = session.gallery.cached_thumb(by_viewer[Viewer.VIDEO])
        assert again is not None and abs(again.duration - video.duration) < 0.01


def test_other_files_and_bad_files_get_placeholders(tmp_path):
    glb = tmp_path / "mesh.glb"
    glb.write_bytes(b"glTF" + b"\0" * 20)
    thumb = make_thumb(glb)
    assert thumb.viewer is Viewer.MODEL and thumb.image is None and not thumb.note
    for name in ("broken.png", "broken.mp4", "broken.wav", "broken.gif"):
        bad = tmp_path / name
        bad.write_bytes(b"not really " * 10)
        result = make_thumb(bad)
        assert result.image is None and result.note.startswith("no preview")
    assert make_thumb(tmp_path / "missing.png").note == "saved file is missing"


def test_image_bombs_are_refused_and_hostile_names_stay_inside(tmp_path):
    bomb = io.BytesIO()
    Image.new("1", (30000, 30000)).save(bomb, "PNG")  # 900 Mpx, a few KB on disk
    store = OutputStore(tmp_path / "outputs")
    names = ["../../escape.gif", "/etc/passwd.mp4", "..\\..\\win.wav", "\x1b[31mred.txt", "con.glb"]
    for name in names:
        saved = store.save("run/../../x", name, bomb.getvalue())
        assert (tmp_path / "outputs").resolve() in saved.path.resolve().parents
    saved = store.save("r", "bomb.png", bomb.getvalue())
    thumb = ThumbnailCache(tmp_path / "thumbs").get("ab" * 32, saved.path)
    assert thumb.image is None and "too large" in thumb.note
    assert not list((tmp_path / "thumbs").glob("*.png"))


def test_filter_syntax():
    flt = GalleryFilter.parse('deployment:txt2img failed "red fox" sweep:s1')
    assert (flt.deployment, flt.status, flt.text, flt.sweep) == (
        "txt2img",
        "failed",
        "red fox",
        "s1",
    )
    assert GalleryFilter.parse("").empty
    assert GalleryFilter.parse('unbalanced "quote').text == 'unbalanced "quote'


def test_differing_inputs_lists_only_what_varies():
    runs = [
        Run(id=str(i), status="success", inputs={"prompt": "fox", "seed": i, "cfg": 7})
        for i in range(3)
    ]
    assert differing_inputs(runs) == [{"seed": 0}, {"seed": 1}, {"seed": 2}]
    assert differing_inputs([runs[0], runs[0]]) == [{}, {}]


async def test_ten_thousand_outputs_page_and_filter(emulator, tmp_path):
    async with Session.open(settings_for(emulator)) as session:
        await fill_gallery(session.cache, tmp_path / "files", 10_000)
        page = await session.gallery.page(offset=0, limit=24)
        assert page.total == 10_000 and len(page.items) == 24
        assert page.items[0].run_id == "run-00000"  # newest first
        last = await session.gallery.page(offset=9_990, limit=24)
        assert [i.run_id for i in last.items][-1] == "run-09999" and len(last.items) == 10
        found = await session.gallery.page(GalleryFilter.parse("picture 1234"), 0, 24)
        assert [i.run_id for i in found.items] == ["run-01234"]
        assert (await session.gallery.page(GalleryFilter.parse("status:failed"))).total == 0
        nothing = await session.gallery.page(GalleryFilter.parse("deployment:nope"))
        assert nothing.total == 0 and "nope" in (nothing.note or "")
        assert json.dumps(page.items[0].filename)
        assert isinstance(page.items[0].path, Path)
