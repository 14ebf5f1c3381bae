"""The EasyPost code tables: every status and detail of ours survives the sandbox wire."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.adapters.carriers.easypost import codes
from bot.adapters.carriers.easypost.parse import parse_tracker
from bot.adapters.carriers.sandbox.wire import render_tracker
from bot.domain.shipments import (
    Location,
    ShipmentStatus,
    StatusDetail,
    Tracking,
    TrackingEvent,
)

EASTERN = timezone(timedelta(hours=-5))
SCAN = datetime(2026, 11, 17, 10, 5, tzinfo=EASTERN)
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=EASTERN)
PAIRS = list(itertools.product(ShipmentStatus, [None, *StatusDetail]))


def through_the_wire(status: ShipmentStatus, detail: StatusDetail | str | None) -> Tracking:
    """Render a one-scan parcel as the sandbox does, then read it as the client does."""
    event = TrackingEvent(SCAN, status, detail, "Scan", Location("Memphis", "TN", None, "US"))
    tracking = Tracking("ups", "1Z999AA10123456784", status, detail, date(2026, 11, 21), (event,))
    return parse_tracker(render_tracker("ups", "1Z999AA10123456784", tracking, NOW))


@pytest.mark.parametrize(("status", "detail"), PAIRS, ids=lambda v: getattr(v, "value", "none"))
def test_every_status_and_detail_round_trips_through_the_sandbox_wire(
    status: ShipmentStatus, detail: StatusDetail | None
) -> None:
    back = through_the_wire(status, detail)

    assert (back.status, back.detail) == (status, detail)
    assert back.events[0].status is status
    assert back.events[0].detail == detail


@pytest.mark.parametrize(("status", "detail"), PAIRS, ids=lambda v: getattr(v, "value", "none"))
def test_the_wire_speaks_only_documented_easypost_values(
    status: ShipmentStatus, detail: StatusDetail | None
) -> None:
    ep_status, ep_detail = codes.to_easypost(status, detail)

    assert ep_status in codes.EASYPOST_STATUSES
    assert ep_detail in codes.EASYPOST_DETAILS


def test_tables_cover_our_enums_and_only_documented_values() -> None:
    assert set(codes.STATUS_TO_EASYPOST) == set(ShipmentStatus)
    assert set(codes.DEFAULT_DETAIL) == set(ShipmentStatus)
    assert set(codes.DETAIL_TO_EASYPOST) == set(StatusDetail)
    assert set(codes.STATUS_FROM_EASYPOST) == codes.EASYPOST_STATUSES
    assert set(codes.DETAIL_FROM_EASYPOST) <= codes.EASYPOST_DETAILS
    assert codes.ATTEMPT_DETAIL not in codes.DETAIL_TO_EASYPOST.values()


def test_failed_attempt_is_failure_with_delivery_exception() -> None:
    assert codes.to_easypost(ShipmentStatus.ATTEMPT_FAILED, StatusDetail.REFUSED) == (
        "failure",
        "delivery_exception",
    )
    assert codes.from_easypost("failure", "delivery_exception") == (
        ShipmentStatus.ATTEMPT_FAILED,
        None,
    )


def test_failure_with_another_detail_is_an_exception() -> None:
    assert codes.from_easypost("failure", "weather_delay") == (
        ShipmentStatus.EXCEPTION,
        StatusDetail.WEATHER_DELAY,
    )
    assert codes.from_easypost("cancelled", "cancelled") == (ShipmentStatus.EXCEPTION, "cancelled")


def test_unknown_easypost_values_read_unknown_and_keep_the_raw_detail() -> None:
    assert codes.from_easypost("in_limbo", "teleported") == (ShipmentStatus.UNKNOWN, "teleported")
    assert codes.from_easypost(None, None) == (ShipmentStatus.UNKNOWN, None)
    assert codes.from_easypost("error", "unknown") == (ShipmentStatus.UNKNOWN, None)


def test_a_carrier_code_is_trusted_only_when_it_re_encodes_to_the_same_pair() -> None:
    delivered = ("delivered", "arrived_at_destination")

    assert codes.from_easypost(*delivered, carrier_code="delivered_to_neighbor") == (
        ShipmentStatus.DELIVERED,
        StatusDetail.DELIVERED_TO_NEIGHBOR,
    )
    assert codes.from_easypost(*delivered, carrier_code="lost") == (ShipmentStatus.DELIVERED, None)
    assert codes.from_easypost(*delivered, carrier_code="01") == (ShipmentStatus.DELIVERED, None)


def test_a_raw_detail_of_ours_travels_as_is() -> None:
    back = through_the_wire(ShipmentStatus.IN_TRANSIT, "rerouted_by_shipper")

    assert (back.status, back.detail) == (ShipmentStatus.IN_TRANSIT, "rerouted_by_shipper")


@pytest.mark.parametrize(
    ("ours", "name"), [("ups", "UPS"), ("usps", "USPS"), ("fedex", "FedEx"), ("dhl", "DHLExpress")]
)
def test_carrier_codes_round_trip(ours: str, name: str) -> None:
    assert codes.carrier_to_easypost(ours) == name
    assert codes.carrier_from_easypost(name) == ours
    assert codes.carrier_from_easypost(name.upper()) == ours


def test_other_carriers_pass_through() -> None:
    assert codes.carrier_to_easypost("ontrac") == "ontrac"
    assert codes.carrier_from_easypost("OnTrac") == "ontrac"
