"""The CLI's pure parts: dispatch, argument errors, tables, JSON shapes, progress, files."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime

import pytest

from comfytui.cli import main as cli_main
from comfytui.cli import output
from comfytui.cli.commands_run import copy_outputs, split_assignments
from comfytui.cli.commands_workflow import split_workflow_file
from comfytui.cli.context import api_host, check_api_url
from comfytui.cli.progress import Progress
from comfytui.errors import ConfigError, InputError
from comfytui.models import (
    Deployment,
    InputKind,
    InputSpec,
    OutputFile,
    Run,
    RunStatus,
    SavedOutput,
    WorkflowVersion,
)

EVIL = "fox\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x1b[31mred\x9b2J"


@pytest.mark.parametrize(
    ("argv", "tui"),
    [
        ([], True),
        (["--profile", "work"], True),
        (["--api-url=http://x/api"], True),
        (["ls", "runs"], False),
        (["--profile", "work", "ls", "runs"], False),
        (["--help"], False),
        (["bogus"], False),
        (["--bogus"], False),
    ],
)
def test_dispatch_tui_only_without_a_command(argv, tui):
    assert cli_main._wants_tui(argv) is tui


@pytest.mark.parametrize(
    "argv",
    [
        ["bogus"],
        ["ls"],
        ["ls", "pipelines"],
        ["ls", "runs", "--limit", "0"],
        ["run"],
        ["run", "x", "--timeout", "soon"],
        ["show", "run"],
        ["auth"],
        ["workflow", "pull"],
    ],
)
def test_usage_errors_are_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        cli_main.build_parser().parse_args(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err


def test_global_flags_work_before_and_after_the_command():
    parser = cli_main.build_parser()
    before = parser.parse_args(["--profile", "a", "--api-url", "http://h/api", "ls", "runs"])
    after = parser.parse_args(["ls", "runs", "--profile", "a", "--api-url", "http://h/api"])
    plain = parser.parse_args(["ls", "runs"])
    assert (
        (before.profile, before.api_url) == (after.profile, after.api_url) == ("a", "http://h/api")
    )
    assert (plain.profile, plain.api_url) == (None, None)


def test_api_url_checks_and_host_hides_userinfo():
    check_api_url("https://api.comfydeploy.com/api")
    with pytest.raises(ConfigError):
        check_api_url("api.comfydeploy.com")
    assert api_host("https://user:secret@example.com:8443/api") == "example.com:8443"
    assert api_host("https://api.comfydeploy.com/api") == "api.comfydeploy.com"


def test_table_strips_escapes_and_aligns_wide_characters():
    from rich.cells import cell_len

    rows = [("1", EVIL, "a"), ("2", "猫の絵", "b"), ("3", "x", "c")]
    text = output.format_table(("ID", "NAME", "Z"), rows)
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    lines = text.splitlines()
    assert "foxred" in lines[1] and "pwned" not in text
    offsets = {cell_len(line[: line.rindex(z)]) for line, z in zip(lines[1:], "abc", strict=True)}
    assert len(offsets) == 1


def test_jsonable_is_stable_and_escapes_controls():
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    run = Run(
        id="r1",
        status=RunStatus.SUCCESS,
        created_at=when,
        inputs={"prompt": EVIL},
        outputs=(OutputFile(url="http://s/a.png", filename="a.png"),),
    )
    buf = io.StringIO()
    output.print_json({"run": run}, buf)
    text = buf.getvalue()
    assert "\x1b" not in text and "\x9b" not in text
    data = json.loads(text)["run"]
    assert data["status"] == "success" and data["created_at"] == "2025-01-02T03:04:05+00:00"
    assert data["inputs"]["prompt"] == EVIL  # exact data, safely encoded
    assert data["outputs"][0] == {
        "url": "http://s/a.png",
        "filename": "a.png",
        "kind": "images",
        "type": None,
        "subfolder": None,
        "output_id": None,
    }
    version = WorkflowVersion(id="v", workflow_id="w", version=1, workflow_api={"1": {}})
    assert "workflow_api" not in output.jsonable(version)


def test_deployment_row_and_inputs_table():
    spec = InputSpec(
        "steps", "ComfyUIDeployExternalNumberSliderInt", InputKind.SLIDER_INT, 20, 1, 50
    )
    dep = Deployment(id="d1", name=EVIL, inputs=(spec,), version=3, machine_name="m")
    row = output.row("deployments", dep)
    assert row[0] == "d1" and "\x1b" not in row[1] and row[-1] == "steps"
    table = output.input_rows(dep.inputs)
    assert "slider_int" in table and "1..50" in table


def test_progress_plain_lines_only_on_change():
    buf = io.StringIO()
    progress = Progress(buf, tty=False)
    for pct in (None, 0.01, 0.02, 0.5, 0.51):
        progress.update(Run(id="r", status=RunStatus.RUNNING, progress=pct, live_status=EVIL))
    progress.update(Run(id="r", status=RunStatus.SUCCESS, progress=1.0))
    lines = buf.getvalue().splitlines()
    assert len(lines) == 3 and lines[-1] == "r: success 100%"
    assert "\x1b" not in buf.getvalue() and "\r" not in buf.getvalue()


def test_progress_bar_redraws_one_line_on_a_terminal():
    buf = io.StringIO()
    progress = Progress(buf, tty=True)
    progress.update(Run(id="r", status=RunStatus.RUNNING, progress=0.5, live_status="KSampler"))
    progress.update(Run(id="r", status=RunStatus.RUNNING, progress=0.75))
    progress.close()
    text = buf.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n") and " 75%" in text


def test_input_assignments():
    assert split_assignments(["prompt=a=b", "n=", " x =1"]) == [
        ("prompt", "a=b"),
        ("n", ""),
        ("x", "1"),
    ]
    with pytest.raises(InputError):
        split_assignments(["noequals"])


def test_copy_outputs_renames_different_files_and_reuses_same(tmp_path):
    def saved(name: str, content: bytes) -> SavedOutput:
        src = tmp_path / "src" / name
        src.parent.mkdir(exist_ok=True)
        src.write_bytes(content)
        sha = hashlib.sha256(content).hexdigest()
        return SavedOutput("r", "u", str(src), sha, len(content))

    out = tmp_path / "out"
    first = copy_outputs([saved("a.png", b"1")], out)
    again = copy_outputs([saved("a.png", b"1")], out)
    other = copy_outputs([saved("a.png", b"2")], out)
    assert first == again == [(out / "a.png").resolve()]
    assert other == [(out / "a-1.png").resolve()]


def test_workflow_file_shapes():
    api = {"3": {"class_type": "KSampler", "inputs": {}}}
    assert split_workflow_file(api) == ({}, api, None)
    combined = {"workflow": {"nodes": []}, "workflow_api": api, "snapshot": {"comfyui": "x"}}
    assert split_workflow_file(combined) == ({"nodes": []}, api, {"comfyui": "x"})
    with pytest.raises(InputError, match="UI graph"):
        split_workflow_file({"nodes": [], "links": []})
    with pytest.raises(InputError):
        split_workflow_file([1, 2])
