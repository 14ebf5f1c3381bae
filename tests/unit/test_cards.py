"""The widget's shipment card (actions/cards.py), filled with domain.yml's real wording."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from actions.cards import CARD_STATUSES, shipment_cards
from actions.replies import wording
from actions.status import REPORTED
from bot.domain.orders import OrderStatus, Shipment
from bot.domain.shipments import ShipmentStatus, StatusDetail, Tracking, TrackingEvent
from tests.unit.builders import CLIENT, NOW, FakeCarrier, FakeOrders, granted_wismo, order, tracking

NY = ZoneInfo("America/New_York")
DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())


def cards_for(the_order, answers, down=False):  # type: ignore[no-untyped-def]
    wismo = granted_wismo(FakeOrders([the_order]), FakeCarrier(answers, down=down))
    report = wismo.report(CLIENT, the_order.order_number, REPORTED.get("order_status"))
    assert report is not None
    return shipment_cards(report, NY, wording(DOMAIN, "socketio"))


def test_an_in_transit_parcel_card_has_status_carrier_date_scans_and_the_carrier_link() -> None:
    [card] = cards_for(order(), {"1Z999AA10123456784": tracking()})
    assert card == {
        "type": "shipment_card",
        "title": "Your parcel",
        "status": "in_transit",
        "status_label": "On its way",
        "carrier": "UPS",
        "tracking_number": "1Z999AA10123456784",
        "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
        "estimate": "2026-11-21",
        "estimate_label": "Saturday, November 21 (tomorrow)",
        "events": [
            {
                "time": "2026-11-20T12:00:00-05:00",
                "time_label": "Nov 20, 12:00 pm",
                "place": "Memphis, TN",
                "description": "Departed from facility",
            }
        ],
    }


def test_the_timeline_shows_the_latest_three_scans_newest_first() -> None:
    base = tracking()
    events = tuple(
        TrackingEvent(NOW - timedelta(hours=h), ShipmentStatus.IN_TRANSIT, None, f"scan {h}h ago")
        for h in (50, 40, 30, 20, 10)
    )
    [card] = cards_for(order(), {"1Z999AA10123456784": replace(base, events=events)})
    assert [e["description"] for e in card["events"]] == [
        "scan 10h ago",
        "scan 20h ago",
        "scan 30h ago",
    ]
    assert card["events"][0]["place"] is None


def test_each_parcel_of_a_split_order_gets_its_numbered_card() -> None:
    second = Shipment("usps", "9400111899223100001234", NOW - timedelta(days=1))
    two = order(shipments=(*order().shipments, second), status=OrderStatus.PARTIALLY_FULFILLED)
    delivered = replace(tracking(ShipmentStatus.DELIVERED), carrier="usps")
    cards = cards_for(two, {"1Z999AA10123456784": tracking(), "9400111899223100001234": delivered})
    assert [(c["title"], c["status_label"]) for c in cards] == [
        ("Parcel 1 of 2", "On its way"),
        ("Parcel 2 of 2", "Delivered"),
    ]
    assert cards[1]["estimate"] is None and cards[1]["estimate_label"] is None
    assert cards[1]["tracking_url"] == (
        "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223100001234"
    )


def test_customs_holds_and_unscanned_labels_are_told_apart() -> None:
    held = tracking(ShipmentStatus.EXCEPTION, detail=StatusDetail.CUSTOMS_DELAY)
    [card] = cards_for(order(), {"1Z999AA10123456784": held})
    assert (card["status"], card["status_label"]) == ("held", "Held at customs")
    label = Tracking("ups", "1Z999AA10123456784", ShipmentStatus.PRE_TRANSIT, None, None, ())
    [card] = cards_for(order(), {"1Z999AA10123456784": label})
    assert (card["status"], card["status_label"]) == ("no_scan", "Label created, not scanned yet")


def test_no_card_when_the_carrier_could_not_be_asked() -> None:
    assert cards_for(order(), {}, down=True) == []


def test_carrier_text_is_passed_on_as_text_for_the_widget_to_show_as_text() -> None:
    base = tracking()
    hostile = "<img src=x onerror=alert(1)>"
    event = replace(base.events[0], description=hostile)
    [card] = cards_for(order(), {"1Z999AA10123456784": replace(base, events=(event,))})
    assert card["events"][0]["description"] == hostile  # the widget renders it with textContent


@pytest.mark.parametrize("status", CARD_STATUSES)
def test_every_card_status_has_its_words_in_the_domain(status: str) -> None:
    fill: Any = wording(DOMAIN, "socketio")
    assert fill(f"utter_card_status_{status}", {})
