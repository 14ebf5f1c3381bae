from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from actions.render import Reply, render_order
from actions.status import REPORTED
from bot.domain.orders import DeliveryWindow, OrderStatus, Shipment, ShipmentItem
from bot.domain.shipments import ShipmentStatus, StatusDetail
from tests.unit.builders import CLIENT, NOW, FakeCarrier, FakeOrders, granted_wismo, order, tracking

NY = ZoneInfo("America/New_York")


def replies_for(the_order, answers, topic=None, down=False):  # type: ignore[no-untyped-def]
    wismo = granted_wismo(FakeOrders([the_order]), FakeCarrier(answers, down=down))
    report = wismo.report(CLIENT, the_order.order_number, REPORTED.get(str(topic)))
    assert report is not None
    return render_order(report, topic, NY)


def names(replies: list[Reply]) -> list[str]:
    return [r.response for r in replies]


def test_an_in_transit_parcel_gets_status_last_scan_date_and_next_step() -> None:
    replies = replies_for(order(), {"1Z999AA10123456784": tracking()})
    assert names(replies) == [
        "utter_order_single",
        "utter_parcel_in_transit_at_place",
        "utter_verdict_in_transit",
        "utter_step_wait",
    ]
    parcel = replies[1].values
    assert parcel["carrier"] == "UPS"
    assert parcel["place"] == "Memphis, TN"
    assert parcel["ago"] == "3 hours ago"
    assert replies[2].values["eta"] == "Saturday, November 21 (tomorrow)"


def test_the_street_line_is_never_part_of_a_reply() -> None:
    replies = replies_for(order(), {"1Z999AA10123456784": tracking()})
    every_value = " ".join(v for r in replies for v in r.values.values())
    assert "Terry Francois" not in every_value and "500" not in every_value
    assert replies[0].values["destination"] == "San Francisco, CA"


def test_a_late_parcel_says_why_and_by_when_it_was_promised() -> None:
    late = order(promised_delivery=DeliveryWindow(date(2026, 11, 16), date(2026, 11, 18)))
    replies = replies_for(
        late,
        {"1Z999AA10123456784": tracking(detail="weather_delay", eta=None)},
        topic="delivery_late",
    )
    said = names(replies)
    assert said[2:] == [
        "utter_verdict_late_undated",
        "utter_cause_weather_delay",
        "utter_step_wait_late",
    ]
    assert replies[2].values["promised"] == "Wednesday, November 18"


def test_a_late_parcel_with_a_new_date_gives_it() -> None:
    late = order(promised_delivery=DeliveryWindow(date(2026, 11, 16), date(2026, 11, 18)))
    replies = replies_for(late, {"1Z999AA10123456784": tracking(eta=date(2026, 11, 23))})
    assert names(replies)[2] == "utter_verdict_late"
    assert replies[2].values["revised"] == "Monday, November 23"


def test_asking_about_lateness_when_on_time_says_so_kindly_with_the_date() -> None:
    replies = replies_for(order(), {"1Z999AA10123456784": tracking()}, topic="delivery_late")
    assert names(replies)[2] == "utter_verdict_in_transit_not_late"
    assert replies[2].values["promised"] == "Saturday, November 21"


def test_split_orders_report_every_parcel_and_what_has_not_shipped() -> None:
    second = Shipment("ups", "1Z12345E0205271688", NOW - timedelta(days=1))
    two = order(shipments=(*order().shipments, second), status=OrderStatus.PARTIALLY_FULFILLED)
    two = replace(two, items=(*two.items, replace(two.items[0], sku="STOVE", name="Camp stove")))
    replies = replies_for(
        two,
        {
            "1Z999AA10123456784": tracking(),
            "1Z12345E0205271688": tracking(ShipmentStatus.DELIVERED),
        },
    )
    assert names(replies)[0] == "utter_order_overview"
    assert replies[0].values["count"] == "2"
    parcels = [r for r in replies if r.response.startswith("utter_parcel_")]
    assert [p.response for p in parcels] == [
        "utter_parcel_in_transit_at_place_numbered",
        "utter_parcel_delivered_at_place_numbered",
    ]
    assert [(p.values["parcel_number"], p.values["parcel_count"]) for p in parcels] == [
        ("1", "2"),
        ("2", "2"),
    ]
    assert Reply("utter_unshipped_items", {"items": "1 x Camp stove"}) in replies


def test_orders_not_shipped_yet_say_why_until_when_and_what_the_shopper_can_do() -> None:
    today = NOW - timedelta(hours=2)
    waiting = {
        (OrderStatus.PROCESSING, today): ["utter_pending_processing_promised"],
        (OrderStatus.PROCESSING, NOW - timedelta(days=6)): [
            "utter_pending_processing_late",
            "utter_step_investigate",
        ],
        (OrderStatus.ON_HOLD, today): ["utter_pending_on_hold", "utter_step_hand_off"],
        (OrderStatus.BACKORDERED, today): ["utter_pending_backordered", "utter_step_may_cancel"],
        (OrderStatus.CANCELLED, today): ["utter_order_cancelled"],
    }
    for (status, placed), responses in waiting.items():
        unshipped = order(
            status=status, shipments=(), backorder_until=date(2026, 12, 3), placed_at=placed
        )
        assert names(replies_for(unshipped, {})) == responses, status
    backordered = replies_for(
        order(status=OrderStatus.BACKORDERED, shipments=(), backorder_until=date(2026, 12, 3)), {}
    )
    assert backordered[0].values["eta"] == "Thursday, December 3"
    undated = replies_for(order(status=OrderStatus.BACKORDERED, shipments=()), {})
    assert names(undated)[0] == "utter_pending_backordered_undated"


def test_an_order_being_prepared_names_its_ship_by_day_and_the_promised_window() -> None:
    # Placed on Friday, November 20 at 1 pm, before the 2 pm cut-off: it ships within 2
    # business days after that day, so by Tuesday, November 24.
    fresh = order(status=OrderStatus.PROCESSING, shipments=(), placed_at=NOW - timedelta(hours=2))
    replies = replies_for(fresh, {})
    assert replies[0].values["eta"] == "Tuesday, November 24"
    assert replies[0].values["promised"] == "Saturday, November 21"


def test_a_single_parcel_is_not_numbered() -> None:
    replies = replies_for(order(), {"1Z999AA10123456784": tracking()})
    assert "parcel_number" not in replies[1].values


def test_a_scan_without_a_place_gets_the_sentence_without_one() -> None:
    nowhere = replace(tracking(), events=(replace(tracking().events[0], location=None),))
    replies = replies_for(order(), {"1Z999AA10123456784": nowhere})
    assert names(replies)[1] == "utter_parcel_in_transit"
    assert replies[1].values["place"] == ""


def test_a_parcel_without_any_scan_says_so() -> None:
    unscanned = replace(tracking(), events=())
    replies = replies_for(order(), {"1Z999AA10123456784": unscanned})
    assert names(replies)[1] == "utter_parcel_no_scan"


def test_delivered_but_missing_before_the_wait_ends_gets_the_checklist_and_a_check_back() -> None:
    replies = replies_for(
        order(),
        {
            "1Z999AA10123456784": tracking(
                ShipmentStatus.DELIVERED, detail=StatusDetail.DELIVERED_TO_DOOR
            )
        },
        topic="package_missing",
    )
    assert names(replies)[2:] == [
        "utter_delivered_door",
        "utter_verdict_not_received_wait",
        "utter_checklist_door",
        "utter_check_back_promised",
    ]
    # Delivered 3 hours ago (noon): the 36-hour wait ends on Sunday at midnight.
    assert replies[-1].values["check_back"] == "late on Saturday, November 21 (tomorrow)"


def test_delivered_but_missing_after_the_wait_says_a_claim_can_be_made_until_when() -> None:
    replies = replies_for(
        order(),
        {"1Z999AA10123456784": tracking(ShipmentStatus.DELIVERED, hours_ago=24 * 3)},
        topic="package_missing",
    )
    assert names(replies)[2:] == ["utter_verdict_not_received_claim"]
    assert replies[2].values["claim_until"] == "Thursday, December 17"


def test_split_order_names_what_each_parcel_carries() -> None:
    second = Shipment("usps", "9400111899223344556677", NOW - timedelta(days=1))
    stove = replace(order().items[0], sku="STOVE", name="Camp stove")
    two = order(items=(*order().items, stove))
    two = replace(
        two,
        shipments=(
            two.shipments[0],
            replace(second, items=(ShipmentItem("STOVE", 1),)),
        ),
    )
    replies = replies_for(
        two,
        {
            "1Z999AA10123456784": tracking(ShipmentStatus.DELIVERED),
            "9400111899223344556677": tracking(number="9400111899223344556677"),
        },
    )
    parcels = [r.values["contents"] for r in replies if r.response.startswith("utter_parcel_")]
    assert parcels == ["Two-person tent", "Camp stove"]


def test_an_outage_warns_that_the_status_is_the_last_known_one() -> None:
    wismo = granted_wismo(FakeOrders([order()]), FakeCarrier({"1Z999AA10123456784": tracking()}))
    wismo.report(CLIENT, "WM-104233")
    wismo.carriers.down = True  # type: ignore[attr-defined]
    report = wismo.report(CLIENT, "WM-104233")
    assert report is not None
    replies = render_order(report, None, NY)
    assert names(replies)[1] == "utter_carrier_stale"
    assert replies[1].values["as_of"] == "Friday, November 20 at 3:00 pm (just now)"


def test_carrier_text_cannot_smuggle_markup_into_a_reply() -> None:
    sneaky = replace(
        tracking(),
        events=(replace(tracking().events[0], description="<img src=x onerror=alert(1)>Hi"),),
    )
    replies = replies_for(order(), {"1Z999AA10123456784": sneaky})
    assert all("<" not in v for r in replies for v in r.values.values())


def test_a_parcel_at_a_pickup_point_says_until_when_it_is_kept() -> None:
    waiting = tracking(ShipmentStatus.AVAILABLE_FOR_PICKUP, hours_ago=24)
    replies = replies_for(order(), {"1Z999AA10123456784": waiting})
    assert names(replies)[2:] == ["utter_verdict_ready_for_pickup", "utter_step_pick_up"]
    # Ready since Thursday 3 pm; kept 5 days (policy/store.yml's pickup.hold_days).
    assert replies[2].values["deadline"] == "Tuesday, November 24"
    assert replies[2].values["threshold_days"] == "5"


def test_damage_the_carrier_scanned_on_the_way_is_not_said_to_have_arrived() -> None:
    damaged = tracking(ShipmentStatus.EXCEPTION, detail=StatusDetail.DAMAGED, hours_ago=48)
    replies = replies_for(order(), {"1Z999AA10123456784": damaged})
    assert "utter_verdict_damaged_in_transit" in names(replies)
    reported = tracking(ShipmentStatus.DELIVERED, detail=StatusDetail.DELIVERED_TO_DOOR)
    replies = replies_for(order(), {"1Z999AA10123456784": reported}, topic="package_damaged")
    assert "utter_verdict_damaged" in names(replies)


def test_a_parcel_held_at_customs_is_not_said_to_be_moving() -> None:
    late = order(promised_delivery=DeliveryWindow(date(2026, 11, 16), date(2026, 11, 18)))
    held = tracking(ShipmentStatus.EXCEPTION, detail=StatusDetail.CUSTOMS_DELAY, eta=None)
    said = names(replies_for(late, {"1Z999AA10123456784": held}, topic="delivery_late"))
    assert said[1] == "utter_parcel_held_at_place"
    assert "utter_step_wait_late_held" in said and "utter_step_wait_late" not in said
