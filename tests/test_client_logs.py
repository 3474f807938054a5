"""The log stream parser (both message forms, sentinels) and the client over loopback."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comfytui.api import ComfyDeployClient
from comfytui.api.logs import COMPLETE, UNAVAILABLE, LogsUnavailable, from_log_update, parse_event
from comfytui.errors import NotSupportedError, ProtocolError
from comfytui.models import LogLine

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(["message", "level", "timestamp", "type", "logs", "x"])
payloads = st.dictionaries(keys, json_values | st.text(), max_size=4)


def test_plain_message():
    stamp = "2025-01-01T00:00:01Z"
    data = json.dumps({"message": "got prompt", "level": "info", "timestamp": stamp})
    [line] = parse_event(data)
    assert line.text == "got prompt" and line.level == "info"
    assert line.timestamp is not None and line.timestamp.second == 1


def test_archive_message_is_a_json_string_of_batches():
    batch = [{"timestamp": "2025-01-01T00:00:01Z", "logs": "a\nb"}, {"logs": "c"}]
    data = json.dumps({"message": json.dumps(batch), "level": "info", "timestamp": None})
    assert [line.text for line in parse_event(data)] == ["a", "b", "c"]


def test_text_that_looks_like_a_list_stays_text():
    data = json.dumps({"message": "[bold red]x[/]", "level": "info"})
    assert parse_event(data) == [LogLine("[bold red]x[/]", "info", None)]


def test_sentinels():
    assert parse_event('{"type": "stream_complete"}') == COMPLETE
    assert parse_event('{"type": "stream_unavailable"}') == UNAVAILABLE


def test_log_update_events_feed_the_same_lines():
    assert from_log_update({"logs": "x\ny", "timestamp": "bad"}) == [LogLine("x"), LogLine("y")]
    assert from_log_update(["nope"]) == []


@settings(max_examples=300, deadline=None)
@given(st.one_of(payloads, json_values))
def test_arbitrary_json_only_protocol_error(value):
    try:
        result = parse_event(json.dumps(value))
    except ProtocolError:
        return
    assert result in (COMPLETE, UNAVAILABLE) or all(isinstance(i, LogLine) for i in result)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_only_protocol_error(text):
    with contextlib.suppress(ProtocolError):
        parse_event(text)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_arbitrary_batches(value):
    with contextlib.suppress(ProtocolError):
        parse_event(json.dumps({"message": json.dumps(value)}))


async def _queue(client, name):
    deployments = await client.list_deployments()
    deployment = next(d for d in deployments if d.name == name)
    return await client.queue_run(deployment.id, {})


async def test_client_follows_then_replays(emulator_factory):
    emu = emulator_factory(speed=2.0)
    async with ComfyDeployClient(emu.api_url, emu.api_key) as client:
        run_id = await _queue(client, "broken")
        live = [line.text async for line in client.stream_logs(run_id)]
        replay = [line.text async for line in client.stream_logs(run_id)]
    assert live == replay
    assert live[-1].startswith("MachineError:")


async def test_client_expired_archive_is_one_line(emulator):
    async with ComfyDeployClient(emulator.api_url, emulator.api_key) as client:
        deployments = await client.list_deployments()
        runs = [r for d in deployments for r in await client.list_deployment_runs(d.id)]
        old = next(r for r in runs if r.is_terminal)
        with pytest.raises(LogsUnavailable, match="no logs"):
            [line async for line in client.stream_logs(old.id)]


async def test_legacy_has_no_log_route(emulator_factory):
    emu = emulator_factory(dialect="legacy")
    async with ComfyDeployClient(emu.api_url, emu.api_key) as client:
        with pytest.raises(NotSupportedError):
            [line async for line in client.stream_logs("00000000-0000-4000-8000-000000000000")]
        assert await client.queue_position("00000000-0000-4000-8000-000000000000") is None
