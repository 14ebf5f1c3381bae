"""The EasyPost parser over stored Tracker and error bodies: pure, no I/O."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.carriers.easypost.parse import parse_error, parse_tracker
from bot.domain.errors import (
    CarrierAuthError,
    CarrierError,
    CarrierUnavailable,
    TrackingNotFound,
)
from bot.domain.shipments import Location, ShipmentStatus, StatusDetail

FIXTURES = Path(__file__).parent.parent / "fixtures" / "easypost"
FETCHED = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_in_transit_tracker_reads_status_estimate_and_sorted_events() -> None:
    tracking = parse_tracker(load("tracker_in_transit.json"), FETCHED)

    assert tracking.carrier == "ups"
    assert tracking.tracking_number == "1Z999AA10123456784"
    assert tracking.status is ShipmentStatus.IN_TRANSIT
    assert tracking.detail is StatusDetail.ARRIVAL_SCAN
    assert tracking.estimated_delivery == date(2026, 11, 21)
    assert tracking.fetched_at == FETCHED
    times = [event.time for event in tracking.events]
    assert times == sorted(times)
    assert [event.detail for event in tracking.events] == [
        StatusDetail.LABEL_CREATED,
        StatusDetail.PICKED_UP,
        StatusDetail.DEPARTURE_SCAN,
        StatusDetail.ARRIVAL_SCAN,
    ]


def test_event_keeps_local_offset_location_and_message() -> None:
    tracking = parse_tracker(load("tracker_in_transit.json"), FETCHED)
    departed = tracking.events[2]

    assert departed.time == datetime(2026, 11, 17, 21, 40, tzinfo=timezone(timedelta(hours=-5)))
    assert departed.time.utcoffset() == timedelta(hours=-5)
    assert departed.description == "Departed from Facility"
    assert departed.location == Location("Memphis", "TN", "38118", "US")
    assert departed.location.label() == "Memphis, TN"


def test_location_with_only_a_country_is_kept() -> None:
    label = parse_tracker(load("tracker_in_transit.json")).events[0]

    assert label.location == Location(country="US")


def test_delivered_tracker_prefers_the_detailed_message() -> None:
    tracking = parse_tracker(load("tracker_delivered.json"))

    assert tracking.carrier == "usps"
    assert tracking.status is ShipmentStatus.DELIVERED
    assert tracking.detail is None  # arrived_at_destination says no more than "delivered"
    assert tracking.last_event is not None
    assert tracking.last_event.description == "Delivered, In/At Mailbox"


def test_unknown_tracker_is_a_valid_tracking_with_no_events() -> None:
    tracking = parse_tracker(load("tracker_unknown.json"))

    assert tracking.status is ShipmentStatus.UNKNOWN
    assert tracking.detail is None
    assert tracking.events == ()
    assert tracking.estimated_delivery is None


def test_failure_with_delivery_exception_is_a_failed_attempt() -> None:
    tracking = parse_tracker(load("tracker_failure_attempt.json"))

    assert tracking.carrier == "fedex"
    assert tracking.status is ShipmentStatus.ATTEMPT_FAILED
    assert tracking.detail is None  # FedEx's own code "DE" is not taken for ours
    assert tracking.events[-1].status is ShipmentStatus.ATTEMPT_FAILED


def test_failure_with_another_detail_is_an_exception() -> None:
    tracking = parse_tracker(load("tracker_failure_exception.json"))

    assert tracking.carrier == "dhl"
    assert tracking.status is ShipmentStatus.EXCEPTION
    assert tracking.detail is StatusDetail.DAMAGED
    assert tracking.events[0].location == Location(city="Leipzig", country="DE")


def test_return_to_sender_reads_returned() -> None:
    tracking = parse_tracker(load("tracker_return_to_sender.json"))

    assert tracking.status is ShipmentStatus.RETURN_TO_SENDER
    assert tracking.detail is StatusDetail.RETURNED
    assert tracking.events[0].status is ShipmentStatus.EXCEPTION
    assert tracking.events[0].detail is StatusDetail.ADDRESS_ISSUE


@pytest.mark.parametrize(
    ("fixture", "status"),
    [
        ("tracker_out_for_delivery.json", ShipmentStatus.OUT_FOR_DELIVERY),
        ("tracker_available_for_pickup.json", ShipmentStatus.AVAILABLE_FOR_PICKUP),
    ],
)
def test_last_mile_statuses(fixture: str, status: ShipmentStatus) -> None:
    tracking = parse_tracker(load(fixture))

    assert tracking.status is status
    assert tracking.detail is None
    assert tracking.events[-1].status is status


def test_odd_codes_read_unknown_and_keep_the_raw_detail() -> None:
    tracking = parse_tracker(load("tracker_odd_codes.json"))

    assert tracking.status is ShipmentStatus.UNKNOWN
    assert tracking.detail == "teleported"
    assert tracking.estimated_delivery is None  # "not a date"
    assert len(tracking.events) == 2  # the scan without a time is skipped
    handed, odd = tracking.events
    assert handed.status is ShipmentStatus.IN_TRANSIT
    assert handed.detail == "transferred_to_destination_carrier"
    assert odd.time == datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # no offset: UTC
    assert odd.description == "Something unusual happened"
    assert odd.location is None


def test_description_stands_in_when_the_message_is_missing() -> None:
    body = load("tracker_delivered.json")
    body["tracking_details"][-1]["message"] = None

    tracking = parse_tracker(body)

    assert tracking.last_event is not None
    assert tracking.last_event.description == "Delivered"


@pytest.mark.parametrize("body", [None, [], "trk_1", {"error": {"code": "X"}}, {"id": "trk_1"}])
def test_a_body_that_is_not_a_tracker_is_carrier_unavailable(body: object) -> None:
    with pytest.raises(CarrierUnavailable):
        parse_tracker(body)


@pytest.mark.parametrize(
    ("status", "fixture", "error"),
    [
        (401, "error_401.json", CarrierAuthError),
        (403, "error_401.json", CarrierAuthError),
        (404, "error_404.json", TrackingNotFound),
    ],
)
def test_error_bodies_map_to_the_carrier_error_tree(
    status: int, fixture: str, error: type[CarrierError]
) -> None:
    raised = parse_error(status, load(fixture))

    assert type(raised) is error
    assert str(status) in str(raised)


def test_422_is_a_rejected_request_with_code_and_message() -> None:
    raised = parse_error(422, load("error_422.json"))

    assert type(raised) is CarrierError
    assert str(raised) == "EasyPost 422 TRACKER.CARRIER.INVALID: Carrier 'ACME' is not supported"


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_server_errors_are_carrier_unavailable_even_without_a_body(status: int) -> None:
    assert type(parse_error(status, None)) is CarrierUnavailable
    assert type(parse_error(status, "<html>oops</html>")) is CarrierUnavailable


def test_error_message_sent_as_a_list_is_joined() -> None:
    raised = parse_error(400, {"error": {"code": "BAD", "message": ["one", "two"]}})

    assert str(raised) == "EasyPost 400 BAD: one, two"
