"""Tracking histories as steps along a route: warehouse, `via`, `hub`, the shopper's city.

A parcel's history is a tuple of steps between the label and the last scan. A
step with a `gap` comes that long after the one before (a van leaves in the
morning, a pickup comes hours after the label); the others share the rest of
the time in proportion to their `weight`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple


class Step(NamedTuple):
    """One scan to come: status, detail, where (a route stop or None) and wording."""

    status: str
    detail: str | None = None
    at: str | None = None  # "origin", "via", "hub", "city"; None: no location
    text: str | None = None  # the description, when the usual one does not fit
    weight: int = 1  # shares of the parcel's free time spent before this scan
    gap: timedelta | None = None  # or a fixed time since the scan before


def hours(h: int, m: int = 0) -> timedelta:
    """A fixed gap between two scans."""
    return timedelta(hours=h, minutes=m)


def scan(detail: str, at: str, weight: int = 1, gap: timedelta | None = None) -> Step:
    """An in-transit scan."""
    return Step("in_transit", detail, at, weight=weight, gap=gap)


LABEL = (Step("pre_transit", "label_created"),)
LEFT_WAREHOUSE = LABEL + (
    scan("picked_up", "origin", gap=hours(5, 45)),
    scan("departure_scan", "origin", gap=hours(5, 50)),
)
AT_VIA = LEFT_WAREHOUSE + (scan("arrival_scan", "via", 5),)
AT_HUB = AT_VIA + (scan("departure_scan", "via"), scan("arrival_scan", "hub", 5))
OUT_FOR_DELIVERY = AT_HUB + (
    scan("departure_scan", "hub", 2),
    Step("out_for_delivery", None, "city", gap=hours(3, 5)),
)

# DHL Express abroad: Memphis, the Cincinnati hub, the import gateway, customs, the city.
ABROAD_CLEARED = AT_HUB + (
    scan("customs_clearance", "hub", 2),
    scan("departure_scan", "hub"),
    scan("arrival_scan", "city", 2),
)
ABROAD_OUT_FOR_DELIVERY = ABROAD_CLEARED + (
    Step("out_for_delivery", None, "city", gap=hours(2, 40)),
)


def delivered(detail: str, abroad: bool = False, text: str | None = None) -> tuple[Step, ...]:
    """The whole journey, ending with a delivery of this kind."""
    route = ABROAD_OUT_FOR_DELIVERY if abroad else OUT_FOR_DELIVERY
    return route + (Step("delivered", detail, "city", text, gap=hours(3, 20)),)


# Keyed by detail, or by status for a step without one.
DESCRIPTIONS = {
    "label_created": "Shipping label created",
    "picked_up": "Picked up",
    "departure_scan": "Departed from facility",
    "arrival_scan": "Arrived at facility",
    "customs_clearance": "Cleared customs",
    "out_for_delivery": "Out for delivery",
    "weather_delay": "Delayed by severe weather; delivery rescheduled",
    "carrier_delay": "Running late: operational delay at the carrier",
    "customs_delay": "Held by customs, awaiting clearance",
    "address_issue": "The address is incomplete or incorrect; delivery could not be completed",
    "recipient_unavailable": "Delivery attempted: no one available to receive the package",
    "refused": "Delivery refused by the recipient",
    "damaged": "Package damaged in transit; the shipper has been notified",
    "lost": "Package cannot be located; the carrier has opened a trace",
    "held_at_facility": "Available for pickup at the carrier's local facility",
    "delivered_to_door": "Delivered, left at front door",
    "delivered_to_neighbor": "Delivered, left with a neighbor",
    "delivered_to_safe_place": "Delivered, left in a safe place",
    "delivered_to_mailroom": "Delivered, front desk/mail room",
    "signed_for": "Delivered, signed for",
    "returned": "Returning to sender",
    "unknown": "Status update received from the carrier",
}


def describe(step: Step, signer: str) -> str:
    """The wording of a scan; a signature names who signed."""
    if step.text is not None:
        return step.text
    if step.detail == "signed_for":
        return f"Delivered, signed for by {signer}"
    return DESCRIPTIONS[step.detail or step.status]
