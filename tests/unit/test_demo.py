"""The demo data set: complete, valid, deterministic and relative to "now"."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import tracking_numbers

from bot.demo import SCENARIOS, build_demo
from bot.domain.orders import OrderStatus
from bot.domain.shipments import DELAY_DETAILS, ShipmentStatus, StatusDetail

Json = dict[str, Any]

NOW = datetime.fromisoformat("2026-11-20T15:00:00-05:00")
TODAY = date(2026, 11, 20)
DOC = build_demo(NOW)
ORDERS: dict[str, Json] = {o["order_number"]: o for o in DOC["orders"]}
TRACKING: dict[tuple[str, str], Json] = {
    (t["carrier"], t["tracking_number"]): t for t in DOC["tracking"]
}


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _parcels(order: Json) -> list[tuple[Json, Json | None]]:
    return [(s, TRACKING.get((s["carrier"], s["tracking_number"]))) for s in order["shipments"]]


def _scenario(name: str) -> Json:
    return ORDERS[SCENARIOS[name]]


def _only_tracking(name: str) -> Json:
    (_, tracking), *others = _parcels(_scenario(name))
    assert not others and tracking is not None
    return tracking


def _last(tracking: Json) -> Json:
    event: Json = tracking["events"][-1]
    return event


def _every_time(document: Json) -> list[str]:
    times = []
    for order in document["orders"]:
        times.append(order["placed_at"])
        times.extend(s["shipped_at"] for s in order["shipments"])
    for tracking in document["tracking"]:
        times.extend(e["time"] for e in tracking["events"])
    return times


def _every_date(document: Json) -> list[str]:
    dates = []
    for order in document["orders"]:
        if order["promised_delivery"]:
            dates.extend(order["promised_delivery"].values())
        if order["backorder_until"]:
            dates.append(order["backorder_until"])
    dates.extend(t["estimated_delivery"] for t in document["tracking"] if t["estimated_delivery"])
    return dates


# --- size and shape


def test_has_at_least_40_orders_with_unique_store_numbers() -> None:
    numbers = [o["order_number"] for o in DOC["orders"]]
    assert len(numbers) >= 40
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"WM-\d{6}", n) for n in numbers)


def test_document_is_plain_json() -> None:
    assert json.loads(json.dumps(DOC)) == DOC


def test_money_is_decimal_strings() -> None:
    for order in DOC["orders"]:
        for item in order["items"]:
            assert isinstance(item["unit_price"], str)
            assert re.fullmatch(r"\d+\.\d{2}", item["unit_price"])
            assert Decimal(item["unit_price"]) > 0
            assert item["currency"] == "USD"
            assert isinstance(item["quantity"], int) and item["quantity"] > 0


def test_customers_are_fictional() -> None:
    for order in DOC["orders"]:
        customer = order["customer"]
        assert re.fullmatch(r"[a-z.]+@example\.(com|org|net)", customer["email"])
        phone = customer["phone"]
        assert re.fullmatch(r"\+1\d{3}55501\d{2}|\+447700900\d{3}", phone), phone


def test_shipments_carry_only_items_of_their_order() -> None:
    for order in DOC["orders"]:
        ordered = {i["sku"]: i["quantity"] for i in order["items"]}
        shipped: Counter[str] = Counter()
        for shipment in order["shipments"]:
            for part in shipment["items"]:
                shipped[part["sku"]] += part["quantity"]
        assert all(ordered.get(sku, 0) >= n for sku, n in shipped.items()), order["order_number"]
        if order["status"] == "fulfilled":
            assert dict(shipped) == ordered, order["order_number"]


def test_every_tracking_record_belongs_to_a_shipment() -> None:
    shipped = {(s["carrier"], s["tracking_number"]) for o in DOC["orders"] for s in o["shipments"]}
    assert set(TRACKING) <= shipped
    assert len(TRACKING) == len(DOC["tracking"])


# --- coverage


def test_covers_every_order_status() -> None:
    assert {o["status"] for o in DOC["orders"]} == {s.value for s in OrderStatus}


def test_every_shipment_status_is_the_latest_of_some_parcel() -> None:
    latest = {_last(t)["status"] for t in DOC["tracking"]}
    assert latest == {s.value for s in ShipmentStatus}


def test_every_status_detail_appears_and_an_unknown_one_is_kept() -> None:
    details = {e["detail"] for t in DOC["tracking"] for e in t["events"]} - {None}
    known = {d.value for d in StatusDetail}
    assert known <= details
    assert details - known == {"sorting_complete"}


def test_every_event_has_a_known_status_and_a_description() -> None:
    statuses = {s.value for s in ShipmentStatus}
    for tracking in DOC["tracking"]:
        assert tracking["events"]
        for event in tracking["events"]:
            assert event["status"] in statuses
            assert event["description"]


def test_uses_every_carrier_several_times() -> None:
    carriers = Counter(s["carrier"] for o in DOC["orders"] for s in o["shipments"])
    assert set(carriers) == {"ups", "usps", "fedex", "dhl"}
    assert min(carriers.values()) >= 3


def test_has_split_shipments_on_different_carriers() -> None:
    split = [o for o in DOC["orders"] if len({s["carrier"] for s in o["shipments"]}) >= 2]
    assert len(split) >= 2
    for order in split:
        parcel_skus = [{p["sku"] for p in s["items"]} for s in order["shipments"]]
        assert all(parcel_skus) and not set.intersection(*parcel_skus)


def test_a_customer_has_four_orders_in_different_statuses_and_another_two() -> None:
    by_email = defaultdict(list)
    for order in DOC["orders"]:
        by_email[order["customer"]["email"]].append(order["status"])
    counts = sorted((len(s) for s in by_email.values()), reverse=True)
    assert counts[0] >= 4 and counts[1] >= 2
    busiest = max(by_email.values(), key=len)
    assert len(set(busiest)) >= 3


def test_has_orders_to_the_uk_and_canada_by_dhl() -> None:
    abroad = {
        o["shipping_address"]["country"]: {s["carrier"] for s in o["shipments"]}
        for o in DOC["orders"]
        if o["shipping_address"]["country"] != "US"
    }
    assert abroad["GB"] == {"dhl"} and abroad["CA"] == {"dhl"}


# --- tracking numbers


def test_tracking_numbers_are_valid_for_their_carrier() -> None:
    numbers = [(s["carrier"], s["tracking_number"]) for o in DOC["orders"] for s in o["shipments"]]
    assert len(set(n for _, n in numbers)) == len(numbers)
    for carrier, number in numbers:
        found = tracking_numbers.get_tracking_number(number)
        assert found is not None and found.valid, number
        assert found.courier.code == carrier, (number, found.product.name)


def test_tracking_numbers_follow_the_order_not_the_clock() -> None:
    later = build_demo(NOW + timedelta(days=40))
    assert [s["tracking_number"] for o in later["orders"] for s in o["shipments"]] == [
        s["tracking_number"] for o in DOC["orders"] for s in o["shipments"]
    ]


# --- time


@pytest.mark.parametrize(
    "now",
    [
        NOW,
        datetime(2026, 11, 21, 0, 0, 30, 123456, tzinfo=UTC),
        datetime.fromisoformat("2026-03-08T03:30:00-04:00"),  # the day clocks go forward
        datetime.fromisoformat("2026-11-01T01:30:00-05:00"),  # the repeated hour
        datetime.fromisoformat("2026-07-04T06:15:00+02:00"),
    ],
)
def test_times_are_aware_eastern_and_never_after_now_but_the_coming_scan(now: datetime) -> None:
    document = build_demo(now)
    coming = []
    for value in _every_time(document):
        moment = _when(value)
        assert moment.tzinfo is not None
        assert value[-6:] in {"-05:00", "-04:00"}, value
        if moment > now:
            coming.append(moment)
    # One scan is still to come, minutes after the demo loads, for the updates' demo.
    assert len(coming) == 1
    assert timedelta(minutes=2) <= coming[0] - now <= timedelta(minutes=10)


@pytest.mark.parametrize("now", [NOW, datetime.fromisoformat("2026-03-09T08:00:00-04:00")])
def test_events_are_in_time_order_after_shipping_and_placing(now: datetime) -> None:
    document = build_demo(now)
    tracked = {(t["carrier"], t["tracking_number"]): t for t in document["tracking"]}
    for order in document["orders"]:
        for shipment in order["shipments"]:
            assert _when(order["placed_at"]) < _when(shipment["shipped_at"])
            tracking = tracked.get((shipment["carrier"], shipment["tracking_number"]))
            if tracking is None:
                continue
            times = [_when(e["time"]) for e in tracking["events"]]
            assert _when(shipment["shipped_at"]) <= times[0]
            assert times == sorted(times) and len(set(times)) == len(times), order["order_number"]


def test_last_scans_range_from_minutes_to_days_ago() -> None:
    ages = [NOW - _when(_last(t)["time"]) for t in DOC["tracking"]]
    assert min(ages) < timedelta(hours=1)
    assert max(ages) > timedelta(days=20)


def test_same_now_gives_byte_identical_output() -> None:
    assert json.dumps(build_demo(NOW)) == json.dumps(build_demo(NOW))
    same_instant = NOW.astimezone(UTC)
    assert json.dumps(build_demo(same_instant)) == json.dumps(DOC)


def test_a_later_now_shifts_every_time_and_date() -> None:
    shift = timedelta(days=3)
    later = build_demo(NOW + shift)
    for before, after in zip(_every_time(DOC), _every_time(later), strict=True):
        assert _when(after) - _when(before) == shift
    for before, after in zip(_every_date(DOC), _every_date(later), strict=True):
        assert date.fromisoformat(after) - date.fromisoformat(before) == shift


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        build_demo(datetime(2026, 11, 20, 15, 0))


# --- scenarios


def test_every_scenario_names_an_order_of_the_document() -> None:
    assert set(SCENARIOS.values()) <= set(ORDERS)
    assert len(set(SCENARIOS.values())) == len(SCENARIOS)


def test_in_transit_is_the_contract_example() -> None:
    order = _scenario("in_transit")
    assert order["order_number"] == "WM-104233"
    assert order["customer"] == {
        "name": "Jane Doe",
        "email": "jane.doe@example.com",
        "phone": "+14155550134",
    }
    assert order["shipping_address"]["postal_code"] == "94107"
    assert order["placed_at"] == "2026-11-16T14:03:00-05:00"
    assert order["promised_delivery"] == {"earliest": "2026-11-19", "latest": "2026-11-21"}
    assert order["items"][0]["unit_price"] == "189.00"
    ((shipment, tracking),) = _parcels(order)
    assert shipment["tracking_number"] == "1Z999AA10123456784"
    assert shipment["shipped_at"] == "2026-11-17T10:00:00-05:00"
    assert tracking is not None and tracking["estimated_delivery"] == "2026-11-21"
    assert _last(tracking)["status"] == "in_transit"


def test_delivered_missing_was_left_in_a_safe_place_ten_days_ago() -> None:
    event = _last(_only_tracking("delivered_missing"))
    assert (event["status"], event["detail"]) == ("delivered", "delivered_to_safe_place")
    assert _when(event["time"]).date() == TODAY - timedelta(days=10)


def test_delivered_signed_for_was_signed_yesterday() -> None:
    event = _last(_only_tracking("delivered_signed_for"))
    assert (event["status"], event["detail"]) == ("delivered", "signed_for")
    assert _when(event["time"]).date() == TODAY - timedelta(days=1)


@pytest.mark.parametrize(
    ("name", "cause"),
    [
        ("late_weather", "weather_delay"),
        ("late_carrier_delay", "carrier_delay"),
        ("late_customs", "customs_delay"),
    ],
)
def test_late_orders_are_past_their_promise_and_undelivered(name: str, cause: str) -> None:
    order = _scenario(name)
    assert date.fromisoformat(order["promised_delivery"]["latest"]) < TODAY
    event = _last(_only_tracking(name))
    assert event["status"] != "delivered"
    assert event["detail"] == cause and StatusDetail(cause) in DELAY_DETAILS


def test_stuck_parcel_has_had_no_scan_for_six_days() -> None:
    event = _last(_only_tracking("stuck"))
    assert event["status"] == "in_transit"
    assert timedelta(days=6) <= NOW - _when(event["time"]) < timedelta(days=7)


def test_not_tracked_parcel_has_a_shipment_but_no_history() -> None:
    ((shipment, tracking),) = _parcels(_scenario("not_tracked"))
    assert shipment["tracking_number"] and tracking is None


def test_no_estimate_parcel_has_a_null_estimated_delivery() -> None:
    tracking = _only_tracking("no_estimate")
    assert tracking["estimated_delivery"] is None
    assert _last(tracking)["status"] == "in_transit"


def test_orders_without_parcels_and_the_backorder_date() -> None:
    for name in ("processing", "on_hold", "backordered", "cancelled"):
        order = _scenario(name)
        assert order["status"] == name and order["shipments"] == []
    assert date.fromisoformat(_scenario("backordered")["backorder_until"]) > TODAY


def test_partially_fulfilled_order_ships_one_item_and_not_the_other() -> None:
    order = _scenario("partially_fulfilled")
    shipped = {p["sku"] for s in order["shipments"] for p in s["items"]}
    ordered = {i["sku"] for i in order["items"]}
    assert shipped and ordered - shipped


@pytest.mark.parametrize(
    ("name", "status", "detail"),
    [
        ("pre_transit", "pre_transit", "label_created"),
        ("out_for_delivery", "out_for_delivery", None),
        ("attempt_failed", "attempt_failed", "recipient_unavailable"),
        ("available_for_pickup", "available_for_pickup", "held_at_facility"),
        ("address_issue", "exception", "address_issue"),
        ("damaged", "exception", "damaged"),
        ("lost", "exception", "lost"),
        ("returned", "return_to_sender", "returned"),
        ("unknown_status", "unknown", None),
        ("unknown_detail", "in_transit", "sorting_complete"),
        ("delivered_mailroom", "delivered", "delivered_to_mailroom"),
    ],
)
def test_scenario_ends_with_its_status(name: str, status: str, detail: str | None) -> None:
    event = _last(_only_tracking(name))
    assert (event["status"], event["detail"]) == (status, detail)


def test_split_scenarios_have_parcels_on_two_carriers() -> None:
    for name in ("split_shipment", "split_shipment_half_delivered"):
        parcels = _parcels(_scenario(name))
        assert len({s["carrier"] for s, _ in parcels}) == 2
        assert {_last(t)["status"] for _, t in parcels if t} == {"delivered", "in_transit"}


def test_international_uk_cleared_customs() -> None:
    order = _scenario("international_uk")
    assert order["shipping_address"]["country"] == "GB"
    details = [e["detail"] for e in _only_tracking("international_uk")["events"]]
    assert "customs_clearance" in details


# --- the importer (bot/services/importing.py, when it exists)


@pytest.mark.skipif(
    importlib.util.find_spec("bot.services.importing") is None,
    reason="bot.services.importing is not written yet",
)
def test_demo_document_passes_the_import_validation() -> None:
    from bot.domain.errors import ImportInvalid
    from bot.services.importing import parse_document

    document = json.loads(json.dumps(build_demo(NOW)))
    try:
        batch = parse_document(document)
    except ImportInvalid as invalid:
        pytest.fail("\n".join(str(p) for p in invalid.problems))
    assert len(batch.orders) == len(document["orders"])
    assert len(batch.trackings) == len(document["tracking"])
    details = {e.detail for t in batch.trackings for e in t.events}
    assert "sorting_complete" in details
