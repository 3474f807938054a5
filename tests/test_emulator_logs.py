"""The emulator's v2 log stream: live lines, the archive replay, the sentinel, unavailable."""

from __future__ import annotations

import json

import httpx
import pytest


def _headers(emu) -> dict[str, str]:
    return {"Authorization": f"Bearer {emu.api_key}"}


def _deployment(emu, name: str) -> str:
    deps = httpx.get(emu.api_url + "/deployments", headers=_headers(emu), timeout=30).json()
    return next(d["id"] for d in deps if d["workflow"]["name"] == name)


def _queue(emu, name: str) -> str:
    body = {"deployment_id": _deployment(emu, name), "inputs": {}}
    reply = httpx.post(
        emu.api_url + "/run/deployment/queue", json=body, headers=_headers(emu), timeout=30
    )
    return reply.json()["run_id"]


def _events(emu, run_id: str) -> list[dict]:
    params = {"run_id": run_id, "log_level": "info"}
    url = emu.api_url + "/v2/stream-logs"
    with httpx.stream("GET", url, params=params, headers=_headers(emu), timeout=60) as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        return [json.loads(line[5:]) for line in reply.iter_lines() if line.startswith("data:")]


def _lines(events: list[dict]) -> list[str]:
    """The log text of a stream's events, whichever form each came in (a line, or an archive
    batch: a JSON string of `[{timestamp, logs}]`)."""
    texts: list[str] = []
    for event in events:
        message = event.get("message")
        if isinstance(message, str) and message.startswith("[{"):
            texts.extend(item["logs"] for item in json.loads(message))
        elif message is not None:
            texts.append(message)
    return texts


@pytest.fixture
def live(emulator_factory):
    # slow enough that a run is still live when the stream request follows the queue request
    # on a loaded machine (a txt2img run lives about 7 s)
    return emulator_factory(speed=0.5)


def test_live_run_streams_plain_lines_then_sentinel(live):
    events = _events(live, _queue(live, "txt2img"))
    assert events[-1] == {"type": "stream_complete"}
    texts = [e["message"] for e in events[:-1]]
    assert all(set(e) == {"message", "level", "timestamp"} for e in events[:-1])
    assert any("it/s]" in t for t in texts)  # sampler steps
    assert any("loaded completely" in t for t in texts)  # model load
    assert any(t.startswith("Uploading output") for t in texts)


def test_finished_run_replays_archive_as_json_string(live):
    run_id = _queue(live, "broken")
    first = _events(live, run_id)  # follows to the end (or replays, if it ended already)
    replay = _events(live, run_id)
    assert replay[-1] == {"type": "stream_complete"}
    batch = json.loads(replay[0]["message"])
    assert [item["logs"] for item in batch] == _lines(first)
    assert batch[-1]["logs"].startswith("MachineError:")
    assert any(item["logs"].startswith("Traceback") for item in batch)


def test_expired_archive_is_unavailable(emulator):
    deps = httpx.get(emulator.api_url + "/deployments", headers=_headers(emulator)).json()
    runs = [
        run
        for d in deps
        for run in httpx.get(
            emulator.api_url + f"/deployment/{d['id']}/runs", headers=_headers(emulator)
        ).json()
    ]
    seeded = next(r for r in runs if r["status"] == "success")  # seeded in 2025: > 30 days
    assert _events(emulator, seeded["id"]) == [{"type": "stream_unavailable"}]


def test_unknown_run_is_404(emulator):
    url = emulator.api_url + "/v2/stream-logs"
    params = {"run_id": "00000000-0000-4000-8000-000000000000"}
    assert httpx.get(url, params=params, headers=_headers(emulator)).status_code == 404


def test_queue_position_counts_earlier_waiting_runs(emulator_factory):
    emu = emulator_factory(speed=0.001)  # runs stay queued
    ids = [_queue(emu, "txt2img") for _ in range(3)]
    url = emu.api_url + f"/run/{ids[2]}"
    body = httpx.get(url, params={"queue_position": "true"}, headers=_headers(emu)).json()
    assert body["queue_position"] == 2
    assert httpx.get(url, headers=_headers(emu)).json()["queue_position"] is None
