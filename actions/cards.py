"""The website widget's shipment card: one per parcel, as a custom payload (pure).

The widget (bot/web/widget) draws it: the parcel's status, its carrier and
tracking number, the expected day, the latest scans, and a link to the
carrier's own tracking page. Its two sentences (title and status line) are
domain.yml's `utter_card_*` responses, filled here; the rest is data. Every
field is plain text: the widget renders it as text, never as markup.

    {"type": "shipment_card", "title": "Parcel 1 of 2", "status": "in_transit",
     "status_label": "On its way", "carrier": "UPS", "tracking_number": "1Z...",
     "tracking_url": "https://www.ups.com/track?tracknum=1Z...",
     "estimate": "2026-12-08", "estimate_label": "Tuesday, December 8 (tomorrow)",
     "events": [{"time": "...", "time_label": "Dec 3, 2:05 pm",
                 "place": "Memphis, TN", "description": "Departed facility"}]}
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from actions.render import CUSTOMS, HELD, NO_SCAN
from bot.domain.shipments import ShipmentStatus, carrier_name, tracking_page
from bot.domain.verdicts import EstimateFact
from bot.domain.wording import day_phrase, short_moment
from bot.services.wismo import OrderReport, ShipmentReport

CARD_TYPE = "shipment_card"
EVENTS_SHOWN = 3
CARD_STATUSES = (*(s.value for s in ShipmentStatus), HELD, NO_SCAN)
# Fills one of domain.yml's responses: (name, values) -> its text.
Wording = Callable[[str, dict[str, str]], str]


def card_status(parcel: ShipmentReport) -> str:
    """The card's status: the carrier's, with customs holds and unscanned labels told apart."""
    tracking = parcel.tracking
    if tracking is None:
        return ShipmentStatus.UNKNOWN.value
    if tracking.last_event is None and tracking.status is not ShipmentStatus.UNKNOWN:
        return NO_SCAN
    if tracking.status is ShipmentStatus.EXCEPTION and tracking.detail in CUSTOMS:
        return HELD
    return tracking.status.value


def shipment_cards(report: OrderReport, local: tzinfo, wording: Wording) -> list[dict[str, Any]]:
    """A card for each parcel the carrier has told us about, in the order's parcel order."""
    now = report.now.astimezone(local)
    count = len(report.shipments)
    cards = []
    for index, parcel in enumerate(report.shipments, start=1):
        if parcel.tracking is None:
            continue  # the carrier could not be asked: the sentences say so, a card adds nothing
        numbering = {"parcel_number": str(index), "parcel_count": str(count)}
        title = wording("utter_card_title_numbered" if count > 1 else "utter_card_title", numbering)
        cards.append(_card(parcel, title, now, wording))
    return cards


def _card(parcel: ShipmentReport, title: str, now: datetime, wording: Wording) -> dict[str, Any]:
    shipment, tracking = parcel.shipment, parcel.tracking
    assert tracking is not None  # shipment_cards skips parcels without tracking
    status = card_status(parcel)
    estimate = parcel.verdict.fact(EstimateFact)
    delivered = tracking.status is ShipmentStatus.DELIVERED
    latest = tuple(reversed(tracking.events))[:EVENTS_SHOWN]
    return {
        "type": CARD_TYPE,
        "title": title,
        "status": status,
        "status_label": wording(f"utter_card_status_{status}", {}),
        "carrier": carrier_name(shipment.carrier),
        "tracking_number": shipment.tracking_number,
        "tracking_url": tracking_page(shipment.carrier, shipment.tracking_number),
        "estimate": None if delivered or estimate is None else estimate.day.isoformat(),
        "estimate_label": None
        if delivered or estimate is None
        else day_phrase(estimate.day, now.date()),
        "events": [
            {
                "time": event.time.astimezone(now.tzinfo).isoformat(),
                "time_label": short_moment(event.time, now),
                "place": (event.location.label() if event.location else "") or None,
                "description": event.description.strip()
                or event.status.value.replace("_", " ").capitalize(),
            }
            for event in latest
        ],
    }


def possible_responses() -> set[str]:
    """Every response name a card can use."""
    statuses = {f"utter_card_status_{status}" for status in CARD_STATUSES}
    return statuses | {"utter_card_title", "utter_card_title_numbered"}
