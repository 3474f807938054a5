"""Rerun, sweeps and their durability from the CLI, in real subprocesses against the emulator."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.support_cli import run_cli

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120
QUEUE = "/api/run/deployment/queue"


def cli(emu: Any, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cli(emu, *args, stdin=stdin, timeout=TIMEOUT)


def queue_posts(emu: Any) -> list[dict[str, Any]]:
    return [r for r in emu.requests() if r["method"] == "POST" and r["path"] == QUEUE]


def production(emu: Any, name: str = "txt2img") -> str:
    names = {w["id"]: w["name"] for w in emu.state.workflows.values()}
    return next(
        d["id"]
        for d in emu.state.deployments.values()
        if names.get(d["workflow_id"]) == name and d["environment"] == "production"
    )


def test_bad_sweep_syntax_is_one_line_exit_2_nothing_sent(emulator, tmp_path):
    for value in ("steps=1..x", "steps=9..1", "cfg=5,,7", "prompt=@" + str(tmp_path / "none")):
        result = cli(emulator, "run", "txt2img", "-i", value, "--yes")
        assert result.returncode == 2, result.stderr
        errors = [line for line in result.stderr.splitlines() if "error" in line]
        assert len(errors) == 1 and "Traceback" not in result.stderr
    assert queue_posts(emulator) == []


def test_sweep_needs_confirmation_without_a_terminal(emulator):
    result = cli(emulator, "run", "txt2img", "-i", "steps=1..8")
    assert result.returncode == 2
    assert "8 runs; varying: steps (8 values)" in result.stderr and "--yes" in result.stderr
    assert queue_posts(emulator) == []


def test_sweep_sends_the_product_in_order_and_show_lists_it(emulator, tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a fox\nan owl, at night\n", encoding="utf-8")
    result = cli(
        emulator,
        "run",
        "txt2img",
        "-i",
        f"prompt=@{prompts}",
        "-i",
        "cfg=5,7,9",
        "--yes",
        "--wait",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    sweep = data["sweep"]
    assert sweep["total"] == 6 and sweep["counts"] == {"queued": 6}
    assert [r["varying"] for r in sweep["runs"]] == [
        {"prompt": p, "cfg": c} for p in ("a fox", "an owl, at night") for c in (5.0, 7.0, 9.0)
    ]
    assert all(r["status"] == "success" for r in sweep["runs"])
    assert len(data["saved"]) == 6 and all(Path(p).is_file() for p in data["saved"])
    sent = [emulator.state.runs[r["run_id"]].inputs for r in sweep["runs"]]
    assert [(i["prompt"], i["cfg"]) for i in sent] == [
        (p, c) for p in ("a fox", "an owl, at night") for c in (5.0, 7.0, 9.0)
    ]
    assert len(queue_posts(emulator)) == 6
    shown = cli(emulator, "sweep", "show", sweep["id"][:8])
    assert shown.returncode == 0, shown.stderr
    assert "6 runs" in shown.stdout and "prompt=an owl, at night" in shown.stdout
    listed = cli(emulator, "sweep", "ls", "--json")
    assert [s["id"] for s in json.loads(listed.stdout)["sweeps"]] == [sweep["id"]]


def test_concurrency_never_more_than_k_in_flight(emulator):
    emulator.add_fault(kind="delay", route=QUEUE, delay=0.3, probability=1.0)
    result = cli(emulator, "run", "txt2img", "-i", "steps=1..12", "--yes", "--concurrency", "3")
    assert result.returncode == 0, result.stderr
    posts = queue_posts(emulator)
    assert len(posts) == 12
    assert max(p["in_flight"] for p in posts) == 3  # reached K, never above


def test_count_gives_identical_copies_note_when_no_seed_is_listed(emulator):
    result = cli(emulator, "run", "txt2img", "-i", "prompt=x", "--count", "3", "--yes")
    assert result.returncode == 0, result.stderr
    assert "lists no seed input" in result.stderr
    assert len(queue_posts(emulator)) == 3


def test_rerun_sends_the_same_inputs(emulator):
    first = cli(emulator, "run", "txt2img", "-i", "prompt=a red fox", "-i", "steps=7", "--json")
    assert first.returncode == 0, first.stderr
    old = json.loads(first.stdout)["run"]["id"]
    again = cli(emulator, "rerun", old, "--json", "--wait")
    assert again.returncode == 0, again.stderr
    new = json.loads(again.stdout)["run"]["id"]
    assert new != old
    assert emulator.state.runs[new].inputs == emulator.state.runs[old].inputs
    tweak = cli(emulator, "rerun", old, "-i", "steps=9", "--json")
    tweaked = emulator.state.runs[json.loads(tweak.stdout)["run"]["id"]].inputs
    assert tweaked == {**emulator.state.runs[old].inputs, "steps": 9}


def test_rerun_notes_inputs_the_deployment_no_longer_takes(emulator):
    record = emulator.state.create_run(production(emulator), {"prompt": "old", "strength": 0.5})
    result = cli(emulator, "rerun", record.id, "--json")
    assert result.returncode == 0, result.stderr
    assert "no longer takes strength" in result.stderr
    new = json.loads(result.stdout)["run"]["id"]
    assert emulator.state.runs[new].inputs == {"prompt": "old"}
