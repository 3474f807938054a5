"""Property tests: whatever JSON a server sends, parsers return models or raise ProtocolError."""

from __future__ import annotations

import asyncio
import contextlib
import json

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comfytui.api import parse_legacy, parse_v2
from comfytui.api.errmap import error_for_status
from comfytui.api.sse import StreamState, iter_events
from comfytui.errors import ApiError, ProtocolError

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=30,
)
keys = st.sampled_from(
    [
        "id",
        "status",
        "progress",
        "outputs",
        "data",
        "images",
        "url",
        "filename",
        "error",
        "created_at",
        "workflow_inputs",
        "input_types",
        "inputs_definition",
        "class_type",
        "input_id",
        "enum_options",
        "options",
        "run_id",
        "version",
        "workflow",
        "machine",
        "deployment_id",
        "name",
        "min_value",
        "live_status",
        "event",
        "prompt_id",
    ]
)
# Objects shaped like the real ones (known keys, arbitrary values) reach deeper code paths.
shaped = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=8),
    max_leaves=40,
)

PARSERS = [
    parse_v2.parse_run,
    parse_v2.parse_runs,
    parse_v2.parse_workflow,
    parse_v2.parse_workflows,
    parse_v2.parse_version,
    parse_v2.parse_versions,
    parse_v2.parse_deployment,
    parse_v2.parse_deployments,
    parse_v2.parse_machine,
    parse_v2.parse_machines,
    parse_v2.parse_queued,
    parse_v2.parse_uploaded,
    parse_v2.parse_pushed,
    parse_legacy.parse_deployment,
    parse_legacy.parse_deployments,
    parse_legacy.parse_input_list,
    parse_legacy.parse_presigned,
]

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_protocol_errors(data: object) -> None:
    for parse in PARSERS:
        with contextlib.suppress(ProtocolError):
            parse(data)


@FAST
@given(json_values)
def test_arbitrary_json(data):
    _only_protocol_errors(data)


@FAST
@given(shaped)
def test_shaped_json(data):
    _only_protocol_errors(data)
    if isinstance(data, dict):
        _only_protocol_errors({**data, "id": "x", "deployment_id": "d"})


@FAST
@given(shaped, st.sampled_from([400, 401, 403, 404, 422, 429, 500, 502, 503, 418]))
def test_error_bodies_map_to_one_line_api_errors(data, status):
    body = json.dumps(data).encode()
    error = error_for_status(status, httpx.Headers({"retry-after": "x"}), body, "h:1", "KEY")
    assert isinstance(error, ApiError) and "\n" not in str(error)


@FAST
@given(
    st.lists(st.tuples(st.sampled_from(["event_update", "log_update", "x"]), shaped), max_size=6)
)
def test_stream_events(events):
    state = StreamState("h")
    text = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)

    async def chunks():
        yield text

    async def consume():
        async for name, data in iter_events(chunks(), 10_000_000, "h"):
            state.feed(name, data)

    asyncio.run(consume())
