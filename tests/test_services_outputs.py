"""Output names from the server cannot escape `<data>/outputs/<run_id>/`."""

from __future__ import annotations

import pytest

from comfytui.services.outputs import MAX_NAME_BYTES, OutputStore, safe_filename

HOSTILE = [
    "../../etc/passwd",
    "..",
    ".",
    "/etc/shadow",
    "C:\\Windows\\system32\\evil.dll",
    "..\\..\\boot.ini",
    "a\x00b.png",
    "bell\x07\x1b[31mred.png",
    "x" * 300 + ".png",
    "é" * 300 + ".webp",
    "CON",
    "nul.txt",
    "com1.png",
    "",
    " . ",
    ".hidden",
    'what?<>|:"*.png',
]


@pytest.mark.parametrize("name", HOSTILE)
def test_every_hostile_name_lands_inside(tmp_path, name):
    root = tmp_path / "outputs"
    store = OutputStore(root)
    stored = store.save("run-1", name, name.encode("utf-8", "replace") + b"!")
    folder = (root / "run-1").resolve()
    assert stored.path.resolve().parent == folder
    leaf = stored.path.name
    assert "/" not in leaf and "\\" not in leaf and "\x00" not in leaf
    assert not leaf.startswith(".") and len(leaf.encode("utf-8")) <= MAX_NAME_BYTES
    assert all(ord(c) >= 32 for c in leaf)
    assert stored.path.read_bytes() == name.encode("utf-8", "replace") + b"!"


def test_names_are_made_safe():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("/abs/path/img.png") == "img.png"
    assert safe_filename("CON") == "_CON" and safe_filename("lpt1.txt") == "_lpt1.txt"
    assert safe_filename("..") == "output"
    long = safe_filename("x" * 300 + ".png")
    assert long.endswith(".png") and len(long) == MAX_NAME_BYTES


def test_run_id_is_a_safe_folder(tmp_path):
    stored = OutputStore(tmp_path).save("../../escape", "a.png", b"1")
    assert stored.path.resolve().is_relative_to(tmp_path.resolve())


def test_duplicates_are_renamed_and_same_content_is_skipped(tmp_path):
    store = OutputStore(tmp_path)
    first = store.save("r", "img.png", b"one")
    second = store.save("r", "img.png", b"two")
    third = store.save("r", "sub/../img.png", b"three")
    again = store.save("r", "other-name.png", b"one")
    assert [first.path.name, second.path.name, third.path.name] == [
        "img.png",
        "img-2.png",
        "img-3.png",
    ]
    assert again.path == first.path and not again.written
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "img-2.png",
        "img-3.png",
        "img.png",
    ]


def test_collision_with_a_capped_name(tmp_path):
    store = OutputStore(tmp_path)
    paths = {store.save("r", "y" * 400 + ".png", bytes([n])).path for n in range(3)}
    assert len(paths) == 3
    assert all(len(p.name.encode()) <= MAX_NAME_BYTES for p in paths)
