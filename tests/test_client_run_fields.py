"""The plain run path (no pydantic) reads a body exactly as the pydantic wire model does.

`run_fields.plain_run` either gives the fields `wire_v2.RunWire` would, or None (the model then
decides). Checked on the reference example, on hand-picked edge values and on generated bodies.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comfytui.api import parse_v2, wire_v2
from comfytui.api.run_fields import NUMBER_FIELDS, TEXT_FIELDS, TIME_FIELDS, plain_run, run_from
from tests.test_client_parse import V2_OUTPUT, V2_RUN

FIELDS = (*TEXT_FIELDS, *NUMBER_FIELDS, *TIME_FIELDS, "workflow_inputs", "status")


def _same(data: object) -> bool:
    """True when the plain path took `data`; asserts it agrees with the model."""
    fields = plain_run(data)
    if fields is None:
        return False
    wire = wire_v2.RunWire.model_validate(data)
    for name in ("id", *FIELDS):
        ours, theirs = getattr(fields, name), getattr(wire, name)
        assert type(ours) is type(theirs), (name, ours, theirs)
        assert ours == theirs or (ours != ours and theirs != theirs), (name, ours, theirs)
        if isinstance(ours, datetime):
            assert ours.utcoffset() == theirs.utcoffset() and ours.tzinfo is UTC
    assert run_from(fields) == run_from(wire)
    return True


def test_reference_example_takes_the_plain_path():
    assert _same({**V2_RUN, "outputs": [V2_OUTPUT]})
    run = parse_v2.parse_run(V2_RUN)
    assert run.created_at == datetime(2025, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gpu", 7),  # a number where text is expected: pydantic makes it "7"
        ("gpu", True),
        ("progress", "0.5"),
        ("progress", True),
        ("progress", math.inf),
        ("progress", 2**60),
        ("created_at", "2025-03-01T12:00:00+02:00"),
        ("created_at", "2025-03-01"),
        ("created_at", 1_700_000_000),
        ("created_at", "2025-13-45T99:00:00Z"),
        ("created_at", "yesterday"),
        ("workflow_inputs", ["a"]),
        ("workflow_inputs", "x"),
    ],
)
def test_other_shapes_go_to_the_model(field, value):
    data = {"id": "r", field: value}
    assert plain_run(data) is None
    parse_v2.parse_run(data)  # the model decides (None or its coerced value), never a crash


@pytest.mark.parametrize("run_id", [12, "", None, True])
def test_unusual_ids_go_to_the_model(run_id):
    assert plain_run({"id": run_id}) is None


json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
timestamps = st.one_of(
    json_scalar,
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)).map(
        lambda d: d.isoformat()
    ),
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)).map(
        lambda d: d.isoformat(timespec="milliseconds") + "Z"
    ),
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)).map(
        lambda d: d.isoformat(timespec="seconds") + "+00:00"
    ),
)
values = {
    **{name: json_scalar for name in (*TEXT_FIELDS, *NUMBER_FIELDS, "status")},
    **{name: timestamps for name in TIME_FIELDS},
    "workflow_inputs": st.one_of(
        json_scalar, st.dictionaries(st.text(max_size=4), json_scalar, max_size=3)
    ),
}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {"id": st.one_of(st.text(min_size=1, max_size=6), st.integers())},
        optional=values,
    )
)
def test_generated_bodies_agree(data):
    _same(data)
    # whichever path reads it, the public parser gives the model's Run
    assert parse_v2.parse_run(data) == wire_v2.RunWire.model_validate(data).to_run()
