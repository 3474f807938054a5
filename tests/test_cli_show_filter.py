"""`show run` prints inputs as typed and a waiting run's queue position; `ls --filter` knows the
panes' special words (`@env`, `/name`, run status words). CLI subprocesses against the emulator."""

from __future__ import annotations

import json

from tests.support_cli import run_cli


def _start(emu, *inputs: str) -> str:
    started = run_cli(emu, "run", "txt2img", *(a for i in inputs for a in ("-i", i)))
    assert started.returncode == 0, started
    return started.stdout.strip().splitlines()[-1]


def _inputs(text: str) -> dict[str, str]:
    pairs = {}
    for line in text.split("\ninputs:\n", 1)[1].splitlines():
        if not line.startswith("  "):
            break  # the outputs block
        name, value = line.strip().split(" = ", 1)
        pairs[name] = value
    return pairs


def test_show_run_prints_numbers_as_typed(emulator):
    run_id = _start(emulator, "cfg=7", "steps=12", "hires=true", "prompt=a cat")
    shown = run_cli(emulator, "show", "run", run_id)
    assert shown.returncode == 0, shown
    inputs = _inputs(shown.stdout)
    assert inputs["cfg"] == "7", shown.stdout  # not 7.0
    assert inputs["steps"] == "12" and inputs["hires"] == "true", shown.stdout
    assert inputs["prompt"] == '"a cat"', shown.stdout  # text stays quoted JSON
    as_json = json.loads(run_cli(emulator, "show", "run", run_id, "--json").stdout)
    assert as_json["inputs"]["cfg"] == 7  # the data is unchanged


def test_show_run_gives_a_waiting_runs_queue_position(emulator_factory):
    emu = emulator_factory(speed=0.001)  # runs stay not-started / queued
    first = _start(emu)
    second = _start(emu)
    text = run_cli(emu, "show", "run", second)
    assert text.returncode == 0, text
    assert "queue position: 1 ahead" in text.stdout, text.stdout
    first_json = json.loads(run_cli(emu, "show", "run", first, "--json").stdout)
    second_json = json.loads(run_cli(emu, "show", "run", second, "--json").stdout)
    assert first_json["status"] in ("not-started", "queued"), first_json
    assert (first_json["queue_position"], second_json["queue_position"]) == (0, 1)


def test_show_run_of_an_ended_run_has_no_queue_position(emulator):
    runs = json.loads(run_cli(emulator, "ls", "runs", "--json", "--filter", "success").stdout)
    run_id = runs["items"][0]["id"]
    shown = run_cli(emulator, "show", "run", run_id, "--json")
    assert json.loads(shown.stdout)["queue_position"] is None
    assert "queue position" not in run_cli(emulator, "show", "run", run_id).stdout


def _rows(result) -> list[list[str]]:
    assert result.returncode == 0, result
    return [line.split("  ") for line in result.stdout.splitlines()[1:]]


def _column(result, name: str) -> list[str]:
    lines = result.stdout.splitlines()
    start = lines[0].index(name)
    return [line[start:].split("  ")[0].strip() for line in lines[1:]]


def test_ls_filter_special_words_match_as_in_the_panes(emulator):
    staging = run_cli(emulator, "ls", "deployments", "--filter", "@staging")
    envs = _column(staging, "ENV")
    assert envs and set(envs) == {"staging"}, staging

    named = run_cli(emulator, "ls", "deployments", "--filter", "/TXT2IMG")
    assert sorted(_column(named, "ENV")) == ["production", "staging"], named
    assert set(_column(named, "NAME")) == {"txt2img"}, named

    both = run_cli(emulator, "ls", "deployments", "--filter", "/txt2img @staging")
    assert _column(both, "ENV") == ["staging"], both

    runs = run_cli(emulator, "ls", "runs", "--filter", "/txt2img queued")
    assert _column(runs, "DEPLOYMENT") and set(_column(runs, "DEPLOYMENT")) == {"txt2img"}, runs
    assert {s.split()[0] for s in _column(runs, "STATUS")} == {"queued"}, runs

    started = run_cli(emulator, "ls", "runs", "--filter", "started")  # not "not-started"
    statuses = {s.split()[0] for s in _column(started, "STATUS")}
    assert statuses == {"started"}, started

    none = run_cli(emulator, "ls", "runs", "--filter", "/txt2im")  # exact, not a prefix
    assert none.stdout == "" and none.stderr.strip() == "no runs match '/txt2im'", none
