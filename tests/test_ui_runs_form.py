"""Run form against the emulator: every input kind filled and validated, refusals keep the form."""

from __future__ import annotations

from dataclasses import replace

import httpx
from textual.widgets import Input, Select, Switch, TextArea

from comfytui.models import Deployment, InputKind
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs import RunFormScreen, RunScreen
from comfytui.ui.runs.fields import InputField
from tests.support_ui import poll_until as wait_until
from tests.support_ui import settings_for


async def _deployment(app: ComfyTUI, name: str) -> Deployment:
    listing = await app.session.catalog.refresh_deployments()
    for deployment in listing.items:
        if (
            deployment.name == name
            and deployment.environment == "production"
            or (deployment.name == name and name == "media-inputs")
        ):
            return deployment
    raise AssertionError(f"no deployment {name!r}")


def _field(screen: RunFormScreen, input_id: str) -> InputField:
    return next(f for f in screen.fields if f.spec.input_id == input_id)


def _queued(emulator) -> list[dict]:
    log = httpx.get(f"{emulator.base_url}/_emulator/requests").json()
    return [r for r in log if r["method"] == "POST" and "/run" in r["path"]]


def _with_seed(deployment: Deployment) -> Deployment:
    """v2 deployment lists leave the Seed node out (§3.3); discovery from the graph finds it."""
    from comfytui.emulator import graphs
    from comfytui.services.inputs import discover_inputs

    seed = [s for s in discover_inputs(graphs.graph(graphs.TXT2IMG_INPUTS)) if s.input_id == "seed"]
    assert seed and seed[0].kind is InputKind.SEED
    return replace(deployment, inputs=(*deployment.inputs, *seed))


async def _open_form(pilot, app: ComfyTUI, name: str, *, seed: bool = False) -> RunFormScreen:
    await wait_until(pilot, lambda: app.session is not None)
    deployment = await _deployment(app, name)
    if seed:
        deployment = _with_seed(deployment)
    app.push_screen(RunFormScreen(deployment))
    await wait_until(pilot, lambda: isinstance(app.screen, RunFormScreen) and app.screen.fields)
    return app.screen  # type: ignore[return-value]


async def test_every_input_kind_is_filled_and_validated(emulator, tmp_path):
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(pilot, app, "txt2img", seed=True)
        kinds = {f.spec.kind for f in form.fields}
        assert {
            InputKind.TEXT,
            InputKind.TEXT_LINE,
            InputKind.SEED,
            InputKind.SLIDER_INT,
            InputKind.SLIDER,
            InputKind.INTEGER,
            InputKind.ENUM,
            InputKind.BOOLEAN,
            InputKind.IMAGE,
        } <= kinds
        # defaults are pre-filled, each kind with its own editor
        assert isinstance(_field(form, "prompt").editor, TextArea)
        assert _field(form, "prompt").raw() == "a lighthouse at dusk, oil painting"
        assert isinstance(_field(form, "hires").editor, Switch)
        assert isinstance(_field(form, "sampler").editor, Select)
        assert _field(form, "steps").raw() == "20"

        # wrong values: inline messages, start refused, nothing typed lost
        _field(form, "steps").editor.value = "99"
        _field(form, "cfg").editor.value = "lots"
        _field(form, "width").editor.value = "12.5"
        _field(form, "init_image").editor.value = str(tmp_path / "missing.png")
        before = len(_queued(emulator))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: _field(form, "steps").error is not None)
        for input_id in ("steps", "cfg", "width", "init_image"):
            field = _field(form, input_id)
            assert field.error and "\n" not in field.error, input_id
            assert field.has_class("-invalid")
        assert _field(form, "prompt").error is None
        assert "Fix 4 input(s)" in str(form.query_one("#form-error").render())
        assert app.screen is form and len(_queued(emulator)) == before
        assert _field(form, "steps").raw() == "99"  # kept as typed

        # up/down step a slider inside its range; ctrl+r draws a seed inside the range
        steps = _field(form, "steps")
        steps.editor.value = "49"
        steps.editor.focus()
        await pilot.press("up", "up")
        assert steps.raw() == "50"
        seed = _field(form, "seed")
        seed.editor.focus()
        await pilot.press("ctrl+r")
        assert 1 <= int(seed.raw()) <= 4294967295

        # fix everything, type into the multi-line prompt, pick an option, flip the switch
        _field(form, "cfg").editor.value = "7.5"
        _field(form, "width").editor.value = "640"
        _field(form, "init_image").editor.value = ""
        prompt = _field(form, "prompt")
        prompt.editor.focus()
        prompt.editor.text = ""
        await pilot.press(*"two [bold]cats[/]")
        _field(form, "sampler").editor.value = "ddim"
        _field(form, "hires").editor.value = True
        assert all(f.check() for f in form.fields), [f.error for f in form.fields]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen), timeout=15)
        view = app.screen
        assert view.run is not None
        inputs = view.run.inputs
        assert inputs["prompt"] == "two [bold]cats[/]"
        assert inputs["steps"] == 50 and inputs["cfg"] == 7.5 and inputs["width"] == 640
        assert inputs["sampler"] == "ddim" and inputs["hires"] is True
        # the run is in the Runs pane at once
        assert any(r.id == view.run_id for r in app.main.runs.items)


async def test_a_prefilled_prompt_has_the_cursor_at_its_end(emulator):
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(pilot, app, "txt2img")
        prompt = _field(form, "prompt")
        assert prompt.raw() == "a lighthouse at dusk, oil painting"
        prompt.editor.focus()
        await wait_until(pilot, lambda: prompt.editor.has_focus)
        await pilot.press(*", at sea")  # typing goes on from the end, as in any editor
        assert prompt.raw() == "a lighthouse at dusk, oil painting, at sea"
        # a value shown later (last values, a restored draft) puts the cursor at its end too
        prompt.set_value("a red fox")
        await pilot.press("!")
        assert prompt.raw() == "a red fox!"


async def test_media_kinds_and_last_values_are_offered(emulator):
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(pilot, app, "media-inputs")
        kinds = {f.spec.kind for f in form.fields}
        assert {InputKind.IMAGES, InputKind.FILE, InputKind.NUMBER, InputKind.IMAGE} <= kinds
        frames = next(f for f in form.fields if f.spec.kind == InputKind.IMAGES)
        frames.editor.value = "not json ["
        number = next(f for f in form.fields if f.spec.kind == InputKind.NUMBER)
        number.editor.value = "1e400x"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: frames.error is not None and number.error is not None)
        assert app.screen is form
        frames.editor.value = '["https://example.com/a.png"]'
        number.editor.value = "0.5"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen), timeout=15)
        await pilot.press("escape")
        # the same deployment again: defaults pre-filled, last values offered and applied
        form2 = await _open_form(pilot, app, "media-inputs")
        await wait_until(pilot, lambda: form2.last_values is not None)
        number2 = next(f for f in form2.fields if f.spec.kind == InputKind.NUMBER)
        assert number2.raw() == "0.75"
        await pilot.press("ctrl+l")
        assert number2.raw() == "0.5"


async def test_server_refusal_keeps_the_form(emulator):
    app = ComfyTUI(settings_for(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(pilot, app, "txt2img")
        _field(form, "negative").editor.value = "keep me"
        httpx.post(
            f"{emulator.base_url}/_emulator/faults",
            json={"kind": "403", "route": "/api/run*", "method": "POST", "count": 1},
        )
        await pilot.press("ctrl+s")
        await wait_until(
            pilot, lambda: not form.starting and form.query_one("#form-error").render().plain != ""
        )
        assert app.screen is form
        error = str(form.query_one("#form-error").render())
        assert error.startswith("✗") and "\n" not in error
        assert _field(form, "negative").raw() == "keep me"
        assert isinstance(_field(form, "negative").editor, Input)
        # leaving with escape keeps a draft: reopening shows what was typed
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.main)
        again = await _open_form(pilot, app, "txt2img")
        assert again is not form
        assert _field(again, "negative").raw() == "keep me"


async def test_image_path_completion_and_file_picker(tmp_path, monkeypatch):
    from textual.app import App

    from comfytui.models import InputSpec
    from comfytui.ui.runs.paths import FilePickerScreen, complete_path

    (tmp_path / "pictures").mkdir()
    picture = tmp_path / "pictures" / "cat.png"
    picture.write_bytes(b"png")
    (tmp_path / "pictures" / "notes.txt").write_text("x")
    assert complete_path(str(tmp_path / "pic")) == str(tmp_path / "pictures") + "/"
    assert complete_path(str(tmp_path / "pictures" / "c")) == str(picture)
    assert complete_path("https://example.com/a") is None

    spec = InputSpec("init_image", "ComfyUIDeployExternalImage", InputKind.IMAGE, "")
    deployment = Deployment("dep-1", "picker", inputs=(spec,))
    monkeypatch.chdir(tmp_path / "pictures")

    class FormApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(RunFormScreen(deployment))

    app = FormApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, RunFormScreen) and app.screen.fields)
        field = app.screen.fields[0]
        field.editor.focus()
        field.editor.value = f"{tmp_path / 'pictures'}/"
        field.editor.cursor_position = len(field.editor.value)
        await pilot.press("c")
        await wait_until(pilot, lambda: field.editor._suggestion == str(picture))
        await pilot.press("right")  # at the end of the text: accepts the suggestion
        assert field.raw() == str(picture)
        field.set_value("")
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, FilePickerScreen))
        tree = app.screen.query_one("#picker-tree")
        await wait_until(pilot, lambda: tree.cursor_node is not None and tree.root.children)
        names = [str(child.label) for child in tree.root.children]
        assert names == ["cat.png"]  # images only
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunFormScreen))
        assert field.raw() == str(picture.resolve())
        assert field.check()
