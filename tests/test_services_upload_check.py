"""A local file is checked before any upload, by one function (services.upload_check) that the
CLI `-i name=@path`, the TUI form and sweeps share: missing, a folder, a wrong type, too big."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from support_cli import run_cli

from comfytui.errors import InputError
from comfytui.services.upload_check import MAX_UPLOAD_BYTES, check_upload
from comfytui.ui.app import ComfyTUI
from tests.support_ui import open_run_form, settings_for, wait_until

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, words the one-line error must hold)."""
    folder = tmp_path / "photos.png"
    folder.mkdir()
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    big = tmp_path / "huge.png"
    with big.open("wb") as handle:  # sparse: no disk used
        handle.truncate(MAX_UPLOAD_BYTES + 1)
    return {
        "missing": (tmp_path / "nothing.png", "no such file"),
        "folder": (folder, "is a folder, not a file"),
        "wrong type": (text, "is text/plain; the server takes an image, video, audio"),
        "too big": (big, "the server takes at most 250 MB"),
    }


def _uploads(emulator) -> list[dict]:
    return [r for r in emulator.requests() if r["path"].startswith("/api/file")]


def test_the_check_names_each_problem(tmp_path):
    for name, (path, words) in _bad_files(tmp_path).items():
        with pytest.raises(InputError) as caught:
            check_upload(path, input_id="init_image")
        message = str(caught.value)
        assert message.startswith("input init_image: ") and words in message, (name, message)
    good = tmp_path / "ok.png"
    good.write_bytes(PNG)
    assert check_upload(good) == good


def test_cli_refuses_a_bad_file_before_uploading(emulator, tmp_path):
    for name, (path, words) in _bad_files(tmp_path).items():
        result = run_cli(emulator, "run", "txt2img", "-i", f"init_image=@{path}")
        assert result.returncode == 2, (name, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (name, result.stderr)
        assert "Traceback" not in result.stderr
    assert _uploads(emulator) == []
    queued = [r for r in emulator.requests() if r["method"] == "POST" and "/run" in r["path"]]
    assert queued == []


async def test_form_shows_the_problem_next_to_the_field(emulator, tmp_path):
    bad = _bad_files(tmp_path)
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_run_form(pilot, app)
        field = next(f for f in form.fields if f.spec.input_id == "init_image")
        for name, (path, words) in bad.items():
            field.editor.value = str(path)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda w=words: field.error is not None and w in field.error)
            shown = str(field.query_one(".field-error").render())
            assert words in shown and "\n" not in field.error, (name, shown)
            assert app.screen is form
        good = tmp_path / "ok.png"
        good.write_bytes(PNG)
        field.editor.value = str(good)
        assert field.check() and field.error is None
    log = httpx.get(f"{emulator.base_url}/_emulator/requests").json()
    assert [r for r in log if r["path"].startswith("/api/file")] == []
