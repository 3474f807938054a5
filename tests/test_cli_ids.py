"""Ids as the app shows them, names as names (issue 14): CLI subprocesses against the emulator.

A 6+ character id prefix works in `show` and `cancel` (from the cache, or from the server when
the cache is empty), an ambiguous prefix lists its matches (exit 2), a name holding `@` is a
name, and the hosted legacy dialect lists production and staging so `NAME@staging` works.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import UTC, datetime
from typing import Any

import pytest

from comfytui.locations import locations
from comfytui.models import Run, RunStatus
from comfytui.services import Session
from comfytui.settings import Secret, Settings
from tests.support_cli import run_many

TIMEOUT = 90
RAW = ("valid UUID", "Input should", "invalid input syntax", "Traceback")


def _cli(emu: Any, *commands: list[str]) -> list[Result]:
    return [Result(r) for r in run_many(emu, *commands, timeout=TIMEOUT)]


class Result:
    """A finished command, shown whole when an assertion fails."""

    def __init__(self, done: subprocess.CompletedProcess[str]) -> None:
        self.args, self.code, self.out, self.err = (
            done.args,
            done.returncode,
            done.stdout,
            done.stderr,
        )

    def json(self) -> Any:
        return json.loads(self.out)

    def __str__(self) -> str:
        head = f"comfytui {' '.join(self.args)} -> {self.code}"
        return f"{head}\n--out--\n{self.out}\n--err--\n{self.err}"


def _clean_error(result: Result, code: int) -> None:
    """Exit `code` with exactly one error line and no raw server validation text."""
    assert result.code == code, str(result)
    lines = [line for line in result.err.strip().splitlines() if "error:" in line]
    assert len(lines) == 1, str(result)
    for raw in RAW:
        assert raw not in result.err, str(result)


def _active_run(emu: Any) -> str:
    return next(
        r.id
        for r in emu.state.runs.values()
        if r.frozen is not None and r.frozen.status in ("running", "queued")
    )


def _named(emu: Any, name: str, environment: str) -> str:
    return next(
        d["id"]
        for d in emu.state.deployments.values()
        if emu.state.workflow_name(d["workflow_id"]) == name and d["environment"] == environment
    )


def test_short_ids_in_show_and_cancel(emulator):
    past = next(r.id for r in emulator.state.runs.values() if r.frozen is not None)
    # an empty cache: the prefix is found on the server (the runs listing), then from the cache
    (shown,) = _cli(emulator, ["show", "run", past[:8], "--json"])
    assert shown.code == 0 and shown.json()["id"] == past, str(shown)
    active = _active_run(emulator)
    cancel, again, short, word, unknown = _cli(
        emulator,
        ["cancel", active[:8], "--json"],
        ["show", "run", past[:6]],
        ["show", "run", past[:5]],
        ["show", "run", "nope"],
        ["cancel", "0000000"],
    )
    assert cancel.code == 0 and cancel.json()["run"]["id"] == active, str(cancel)
    assert cancel.json()["run"]["status"] == "cancelled"
    assert again.code == 0 and past in again.out, str(again)
    _clean_error(short, 2)
    assert "at least 6" in short.err
    _clean_error(word, 2)
    assert "not a run id" in word.err
    _clean_error(unknown, 5)
    assert "0000000" in unknown.err


async def _cache_runs(emu: Any, ids: list[str]) -> None:
    settings = Settings(api_url=emu.api_url, api_key=Secret(emu.api_key), locations=locations())
    async with Session.open(settings) as session:
        now = datetime.now(UTC)
        await session.cache.upsert_runs(
            [Run(id=i, status=RunStatus.SUCCESS, created_at=now) for i in ids]
        )


def test_ambiguous_prefix_lists_the_matches(emulator):
    ids = ["abcdef01-0000-4000-8000-000000000001", "abcdef02-0000-4000-8000-000000000002"]
    asyncio.run(_cache_runs(emulator, ids))
    ambiguous, chosen = _cli(emulator, ["show", "run", "abcdef"], ["show", "run", "abcdef02"])
    _clean_error(ambiguous, 2)
    assert all(i in ambiguous.err for i in ids) and "matches 2 runs" in ambiguous.err
    assert "\n" not in ambiguous.err.strip()
    # one more character picks one (served from the cache: the run has ended)
    assert chosen.code == 0 and ids[1] in chosen.out, str(chosen)


def test_names_with_at_sign_and_environments(emulator):
    markup = "[@click=app.quit]boom[/]"
    staging = _named(emulator, "txt2img", "staging")
    production = _named(emulator, "txt2img", "production")
    by_markup, by_staging, by_name, by_prefix = _cli(
        emulator,
        ["show", "deployment", markup, "--json"],
        ["show", "deployment", "txt2img@staging", "--json"],
        ["show", "deployment", "txt2img", "--json"],
        ["show", "deployment", staging[:8], "--json"],
    )
    assert by_markup.code == 0 and by_markup.json()["name"] == markup, str(by_markup)
    assert by_staging.code == 0 and by_staging.json()["id"] == staging, str(by_staging)
    assert by_name.code == 0 and by_name.json()["id"] == production, str(by_name)
    assert by_prefix.code == 0 and by_prefix.json()["id"] == staging, str(by_prefix)


@pytest.fixture
def legacy(emulator_factory):
    return emulator_factory(dialect="legacy", speed=0.0)


def test_legacy_lists_both_environments_and_resolves_name_at_staging(legacy):
    staging = _named(legacy, "txt2img", "staging")
    production = _named(legacy, "txt2img", "production")
    listed, shown, started = _cli(
        legacy,
        ["ls", "deployments", "--json"],
        ["show", "deployment", "txt2img@staging", "--json"],
        ["run", "txt2img@staging", "-i", "prompt=a fox", "--json"],
    )
    assert listed.code == 0, str(listed)
    items = {d["id"]: d["environment"] for d in listed.json()["items"]}
    assert items[staging] == "staging" and items[production] == "production"
    assert set(items.values()) == {"production", "staging"}
    assert shown.code == 0 and shown.json()["id"] == staging, str(shown)
    assert shown.json()["environment"] == "staging"
    assert started.code == 0, str(started)
    run_id = started.json()["run"]["id"]
    assert legacy.state.runs[run_id].deployment_id == staging
    # the listing asked once per environment: the reference's query parameter (§1.9)
    asked = [
        r["query"]
        for r in json.loads(_requests(legacy))
        if r["path"] == "/api/deployment" and r["method"] == "GET"
    ]
    assert any("environment=staging" in q for q in asked)
    assert any("environment=production" in q for q in asked)


def _requests(emu: Any) -> str:
    import httpx

    return httpx.get(f"{emu.base_url}/_emulator/requests", timeout=10).text
