"""Property tests of the EasyPost parser: whatever a carrier sends, it answers or refuses.

A carrier (or anything pretending to be one) can send any JSON: the parser gives a
`Tracking` or a `CarrierError`, never another exception that would reach a shopper's turn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.carriers.easypost.parse import parse_error, parse_tracker
from bot.domain.errors import CarrierError
from bot.domain.shipments import Tracking

FIXTURES = Path(__file__).parent.parent / "fixtures" / "easypost"
TRACKER: dict[str, Any] = json.loads((FIXTURES / "tracker_in_transit.json").read_text())

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.sampled_from(
        ["2026-11-20T10:00:00Z", "2026-11-20", "in_transit", "delivered", "0001-01-01"]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def parsed_or_refused(body: object) -> None:
    try:
        result = parse_tracker(body)
    except CarrierError:
        return
    assert isinstance(result, Tracking)


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_any_json_is_parsed_or_refused_as_a_carrier_error(body: object) -> None:
    parsed_or_refused(body)


@given(
    st.sampled_from(sorted(TRACKER)),
    json_values,
    st.integers(min_value=0, max_value=5),
    st.sampled_from(["datetime", "status", "status_detail", "message", "tracking_location", "x"]),
)
@settings(max_examples=300, deadline=None)
def test_a_real_tracker_with_one_field_changed_is_parsed_or_refused(
    key: str, value: object, index: int, event_key: str
) -> None:
    body = json.loads(json.dumps(TRACKER))
    body[key] = value
    parsed_or_refused(body)
    events = TRACKER.get("tracking_details") or []
    if events:
        body = json.loads(json.dumps(TRACKER))
        body["tracking_details"][index % len(events)][event_key] = value
        parsed_or_refused(body)


@given(st.integers(min_value=100, max_value=599), json_values)
@settings(max_examples=200, deadline=None)
def test_any_error_body_becomes_a_carrier_error(status: int, body: object) -> None:
    assert isinstance(parse_error(status, body), CarrierError)
