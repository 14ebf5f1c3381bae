"""The demo's orders, each a story the assistant should tell well.

Times are durations before "now" (`ago`), dates are days from today, so the
demo reads as current on any day. SHOWCASE's and POLICY_CASES' keys name the
orders that tests and the README point at (SCENARIOS); BACKGROUND orders make
the store look lived in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.demo.journeys import (
    ABROAD_CLEARED,
    AT_HUB,
    AT_VIA,
    LABEL,
    OUT_FOR_DELIVERY,
    Step,
    delivered,
    hours,
    scan,
)
from bot.domain.orders import OrderStatus


def ago(days: int, h: int = 0, m: int = 0) -> timedelta:
    """How long before now: days, hours, minutes."""
    return timedelta(days=days, hours=h, minutes=m)


@dataclass(frozen=True)
class Parcel:
    """One shipment and what its carrier will say about it."""

    carrier: str
    service: str
    steps: tuple[Step, ...]  # empty: the carrier never heard of this parcel
    shipped: timedelta
    last_scan: timedelta = timedelta(0)
    eta: int | None = None  # days from today
    items: Mapping[str, int] | None = None  # None: every item of the order
    tracking_number: str | None = None  # None: generated from the order's index in ORDERS


@dataclass(frozen=True)
class OrderSpec:
    """One order of the demo."""

    number: str
    who: str  # a key of people.PEOPLE
    status: OrderStatus
    placed: timedelta
    items: Mapping[str, int]
    promised: tuple[int, int] | None = None  # earliest, latest: days from today
    parcels: tuple[Parcel, ...] = ()
    backorder_until: int | None = None


S = OrderStatus


def _ex(detail: str, at: str, weight: int = 3, gap: timedelta | None = None) -> Step:
    return Step("exception", detail, at, weight=weight, gap=gap)


# Laid out by hand as a table; ruff would give every argument a line of its own.
# fmt: off
SHOWCASE: dict[str, OrderSpec] = {
    "in_transit": OrderSpec(
        "WM-104233", "jane", S.FULFILLED, ago(4, 0, 57), {"TENT-2P": 1}, (-1, 1), (
            Parcel("ups", "Ground", AT_HUB, ago(3, 5), ago(0, 2, 10), 1,
                   tracking_number="1Z999AA10123456784"),
        )),
    "out_for_delivery": OrderSpec(
        "WM-104240", "noah", S.FULFILLED, ago(3, 6), {"BOOT-HIKE": 1, "SOCK-MW": 2}, (0, 2), (
            Parcel("usps", "Priority Mail", OUT_FOR_DELIVERY, ago(2, 7, 30), ago(0, 6, 12), 0),
        )),
    "delivered_signed_for": OrderSpec(
        "WM-104231", "priya", S.FULFILLED, ago(4, 3), {"BINO-842": 1}, (-2, -1), (
            Parcel("fedex", "2Day", delivered("signed_for"), ago(3, 8), ago(1, 1, 48), -1),
        )),
    "delivered_missing": OrderSpec(
        "WM-104101", "grace", S.FULFILLED, ago(15, 2), {"JKT-DOWN": 1, "GLOVE-FL": 1}, (-11, -9), (
            Parcel("ups", "Ground",
                   delivered("delivered_to_safe_place", text="Delivered, left at back porch"),
                   ago(14, 4), ago(10, 2, 40), -10),
        )),
    "late_weather": OrderSpec(
        "WM-104186", "aisha", S.FULFILLED, ago(8, 1), {"BAG-20F": 1, "PAD-INS": 1}, (-4, -2), (
            Parcel("ups", "Ground", AT_HUB + (scan("weather_delay", "hub", 3),),
                   ago(7, 4), ago(0, 9, 25), 1),
        )),
    "late_carrier_delay": OrderSpec(
        "WM-104171", "david", S.FULFILLED, ago(9, 5), {"COOL-45": 1}, (-3, -1), (
            Parcel("fedex", "Home Delivery", AT_VIA + (scan("carrier_delay", "via", 3),),
                   ago(8, 2), ago(1, 5, 10), 2),
        )),
    "late_customs": OrderSpec(
        "WM-104197", "liam", S.FULFILLED, ago(7, 2), {"PACK-65": 1, "POLE-TRK": 1}, (-3, -1), (
            Parcel("dhl", "Express Worldwide", AT_HUB + (_ex("customs_delay", "hub"),),
                   ago(6, 6), ago(1, 0, 40), 2),
        )),
    "stuck": OrderSpec(
        "WM-104173", "sam", S.FULFILLED, ago(9, 3), {"HAMMOCK": 1, "LAMP-HD": 1}, (-2, 0), (
            Parcel("usps", "Ground Advantage", AT_VIA, ago(8, 5), ago(6, 1, 15), 0),
        )),
    "not_tracked": OrderSpec(
        "WM-104252", "kevin", S.FULFILLED, ago(2, 4), {"STOVE-CAN": 1, "POT-TI": 1}, (0, 2), (
            Parcel("fedex", "2Day", (), ago(1, 3)),
        )),
    "no_estimate": OrderSpec(
        "WM-104219", "owen", S.FULFILLED, ago(5, 2), {"JKT-RAIN": 1}, (0, 4), (
            Parcel("usps", "Priority Mail", AT_HUB, ago(4, 6), ago(0, 20, 5), None),
        )),
    "pre_transit": OrderSpec(
        "WM-104266", "zoe", S.FULFILLED, ago(1, 2), {"CHAIR-CMP": 2}, (3, 5), (
            Parcel("ups", "Ground", LABEL, ago(0, 3, 5), ago(0, 3), 4),
        )),
    "processing": OrderSpec(
        "WM-104281", "maria", S.PROCESSING, ago(0, 2, 14), {"TENT-4P": 1}, (4, 7)),
    "on_hold": OrderSpec(
        "WM-104262", "carlos", S.ON_HOLD, ago(1, 4), {"BINO-842": 1, "COMPASS": 1}, (3, 6)),
    "backordered": OrderSpec(
        "WM-104239", "maria", S.BACKORDERED, ago(3, 7), {"PACK-22": 1}, backorder_until=9),
    "partially_fulfilled": OrderSpec(
        "WM-104255", "tom", S.PARTIALLY_FULFILLED, ago(2, 2),
        {"PACK-65": 1, "BAG-20F": 1}, (1, 3), (
            Parcel("ups", "Ground", AT_VIA, ago(1, 6), ago(0, 5, 20), 2, {"PACK-65": 1}),
        )),
    "cancelled": OrderSpec(
        "WM-104205", "maria", S.CANCELLED, ago(6, 5), {"STOVE-CAN": 1}),
    "split_shipment": OrderSpec(
        "WM-104220", "rachel", S.FULFILLED, ago(5, 1),
        {"TENT-2P": 1, "LAMP-HD": 2, "FILT-SQZ": 1}, (-1, 1), (
            Parcel("ups", "Ground", delivered("delivered_to_door"), ago(4, 3), ago(1, 4, 30), -1,
                   {"TENT-2P": 1}),
            Parcel("usps", "Ground Advantage", AT_HUB, ago(4, 2), ago(0, 7, 45), 1,
                   {"LAMP-HD": 2, "FILT-SQZ": 1}),
        )),
    "split_shipment_half_delivered": OrderSpec(
        "WM-104207", "hannah", S.FULFILLED, ago(6, 3),
        {"CHAIR-CMP": 1, "SOCK-MW": 3, "GLOVE-FL": 1}, (-1, 0), (
            Parcel("fedex", "Home Delivery", delivered("delivered_to_neighbor"), ago(5, 2),
                   ago(2, 5, 5), -2, {"CHAIR-CMP": 1}),
            Parcel("usps", "Ground Advantage", AT_HUB, ago(4, 23), ago(0, 11, 30), 0,
                   {"SOCK-MW": 3, "GLOVE-FL": 1}),
        )),
    "attempt_failed": OrderSpec(
        "WM-104243", "ben", S.FULFILLED, ago(3, 2), {"TENT-4P": 1, "BAG-20F": 1}, (-1, 0), (
            Parcel("fedex", "2Day", OUT_FOR_DELIVERY + (
                Step("attempt_failed", "recipient_unavailable", "city",
                     "Delivery attempted: signature required, no one available to sign",
                     gap=hours(2, 56)),
            ), ago(2, 6), ago(0, 4, 5), 1),
        )),
    "available_for_pickup": OrderSpec(
        "WM-104206", "lucy", S.FULFILLED, ago(6, 4), {"AID-KIT": 1, "BEAR-CAN": 1}, (-3, -1), (
            Parcel("usps", "Priority Mail", OUT_FOR_DELIVERY + (
                Step("attempt_failed", "recipient_unavailable", "city", "Notice left, no access",
                     gap=hours(3, 10)),
                Step("available_for_pickup", "held_at_facility", "city",
                     "Available for pickup at the Bozeman post office", gap=hours(1, 2)),
            ), ago(5, 5), ago(1, 22, 30), -2),
        )),
    "address_issue": OrderSpec(
        "WM-104216", "ethan", S.FULFILLED, ago(5, 6), {"FILT-SQZ": 1, "STOVE-CAN": 1}, (-1, 1), (
            Parcel("ups", "Ground", OUT_FOR_DELIVERY + (
                _ex("address_issue", "city", gap=hours(1, 40)),
            ), ago(4, 4), ago(1, 3, 20), None),
        )),
    "damaged": OrderSpec(
        "WM-104209", "julia", S.FULFILLED, ago(6, 1), {"COOL-45": 1}, (-2, 0), (
            Parcel("fedex", "Home Delivery", AT_HUB + (_ex("damaged", "hub"),),
                   ago(5, 3), ago(2, 2, 15), None),
        )),
    "lost": OrderSpec(
        "WM-104137", "ahmed", S.FULFILLED, ago(12, 3), {"PACK-65": 1}, (-8, -6), (
            Parcel("ups", "2nd Day Air", AT_VIA + (_ex("lost", "via", 12),),
                   ago(11, 5), ago(3, 4), None),
        )),
    "returned": OrderSpec(
        "WM-104160", "chloe", S.FULFILLED, ago(10, 2), {"HAMMOCK": 1}, (-5, -3), (
            Parcel("ups", "Ground", OUT_FOR_DELIVERY + (
                _ex("refused", "city", gap=hours(2, 25)),
                Step("return_to_sender", "returned", "hub", gap=hours(7, 15)),
            ), ago(9, 4), ago(2, 18), None),
        )),
    "unknown_status": OrderSpec(
        "WM-104229", "mia", S.FULFILLED, ago(4, 5), {"POLE-TRK": 1}, (1, 3), (
            Parcel("usps", "Ground Advantage", AT_VIA + (Step("unknown", None, "via", weight=2),),
                   ago(3, 6), ago(0, 1, 35), 2),
        )),
    "international_uk": OrderSpec(
        "WM-104221", "olivia", S.FULFILLED, ago(5, 0), {"JKT-DOWN": 1, "LAMP-HD": 1}, (0, 2), (
            Parcel("dhl", "Express Worldwide", ABROAD_CLEARED, ago(4, 2), ago(0, 3, 40), 1),
        )),
    "unknown_detail": OrderSpec(
        "WM-104245", "maria", S.FULFILLED, ago(3, 1), {"PAD-INS": 1}, (1, 2), (
            Parcel("fedex", "Home Delivery", AT_HUB + (
                Step("in_transit", "sorting_complete", "hub", "Sorting complete"),
            ), ago(2, 4), ago(0, 0, 38), 1),
        )),
    "delivered_mailroom": OrderSpec(
        "WM-104168", "tom", S.FULFILLED, ago(9, 8), {"LAMP-HD": 1}, (-6, -5), (
            Parcel("usps", "Priority Mail", delivered("delivered_to_mailroom"),
                   ago(8, 2), ago(5, 5, 50), -5),
        )),
}
# fmt: on

# One order for each situation the store's policy (policy/store.yml, read by
# bot.domain.readings) tells apart that SHOWCASE does not already show, and for the
# changes and claims it decides. Each lands in its situation at any "now":
# tests/unit/test_demo_situations.py checks every showcase order against the policy.
# Their orders come after BACKGROUND in ORDERS, so earlier orders keep their tracking numbers.
# fmt: off
POLICY_CASES: dict[str, OrderSpec] = {
    # Placed over a week ago, still not shipped: past the 2-business-day ship window,
    # whatever the weekday and the holidays around it.
    "processing_late": OrderSpec(
        "WM-104301", "omar", S.PROCESSING, ago(7, 5), {"JKT-RAIN": 1, "GLOVE-FL": 1}, (-1, 1)),
    # A label printed 4 days ago and never scanned by the carrier (more than 3 days).
    "forgotten_label": OrderSpec(
        "WM-104302", "elena", S.FULFILLED, ago(6, 3), {"BAG-20F": 1}, (-1, 1), (
            Parcel("usps", "Priority Mail", LABEL, ago(4, 6, 5), ago(4, 6)),
        )),
    # Moving, on time so far, but the carrier now expects it 2 days after the promised window.
    "trending_late": OrderSpec(
        "WM-104303", "yuki", S.FULFILLED, ago(4, 2), {"PACK-65": 1}, (-1, 1), (
            Parcel("ups", "Ground", AT_VIA, ago(3, 4), ago(0, 5, 40), 3),
        )),
    # Past the promised window, scanned today, the carrier's revised date is tomorrow; no
    # weather, carrier or customs delay was reported.
    "late_revised_date": OrderSpec(
        "WM-104304", "fatima", S.FULFILLED, ago(9, 4), {"BOOT-HIKE": 1, "POLE-TRK": 1},
        (-4, -2), (
            Parcel("fedex", "Home Delivery", AT_HUB, ago(8, 3), ago(0, 10, 20), 1),
        )),
    # Scanned 2 days ago, but the carrier's estimated day ended 4 days ago (over 48 hours).
    "stalled_past_estimate": OrderSpec(
        "WM-104305", "leo", S.FULFILLED, ago(10, 1), {"COOL-45": 1}, (-6, -4), (
            Parcel("ups", "Ground", AT_HUB, ago(9, 2), ago(2, 3), -4),
        )),
    # No scan for 12 days with UPS (more than 10): likely lost, though the carrier never said.
    "likely_lost_no_scans": OrderSpec(
        "WM-104306", "nadia", S.FULFILLED, ago(15, 2), {"TENT-2P": 1, "PAD-INS": 1}, (-10, -8), (
            Parcel("ups", "Ground", AT_VIA, ago(14, 5), ago(12, 3), -9),
        )),
    # An exception the policy has no rule for: the store asks the carrier.
    "carrier_exception": OrderSpec(
        "WM-104307", "victor", S.FULFILLED, ago(5, 3), {"CHAIR-CMP": 1, "HAMMOCK": 1}, (-1, 1), (
            Parcel("fedex", "Home Delivery", AT_HUB + (
                Step("exception", None, "hub",
                     "Shipment exception: the label is unreadable; the carrier is checking the "
                     "package", weight=3),
            ), ago(4, 4), ago(0, 20, 30), None),
        )),
    # Left at the door 20 hours ago: "not here" gets the look-around checklist until 36 hours.
    "delivered_not_received_wait": OrderSpec(
        "WM-104308", "hazel", S.FULFILLED, ago(4, 5), {"JKT-DOWN": 1}, (-1, 1), (
            Parcel("ups", "Ground", delivered("delivered_to_door"), ago(3, 3), ago(0, 20, 15),
                   -1),
        )),
    # Delivered 40 hours ago by USPS, whose own wait is 48 hours (UPS's would be over).
    "delivered_not_received_wait_usps": OrderSpec(
        "WM-104309", "rohan", S.FULFILLED, ago(5, 4), {"FILT-SQZ": 1, "AID-KIT": 1}, (-2, 0), (
            Parcel("usps", "Priority Mail", delivered("delivered_to_door"), ago(4, 2), ago(1, 16),
                   -2),
        )),
    # Delivered 40 days ago: past the 30 days for "not received" and the 14 for damage.
    "claim_window_closed": OrderSpec(
        "WM-104310", "walter", S.FULFILLED, ago(44, 3), {"BOOT-HIKE": 1}, (-41, -39), (
            Parcel("ups", "Ground", delivered("delivered_to_door"), ago(43, 2), ago(40, 2, 30),
                   -40),
        )),
    # Delivered 3 days ago, worth $119.45: a damage claim the assistant settles itself.
    "damaged_on_arrival": OrderSpec(
        "WM-104311", "ines", S.FULFILLED, ago(6, 2), {"POT-TI": 1, "STOVE-CAN": 1}, (-4, -2), (
            Parcel("fedex", "Home Delivery", delivered("delivered_to_door"), ago(5, 1),
                   ago(3, 4, 10), -3),
        )),
    # Delivered 3 days ago, worth $189.00: over $150, so a person decides the claim.
    "damaged_high_value": OrderSpec(
        "WM-104312", "caleb", S.FULFILLED, ago(6, 5), {"TENT-2P": 1}, (-4, -2), (
            Parcel("ups", "Ground", delivered("delivered_to_door"), ago(5, 3), ago(3, 1, 35), -3),
        )),
    # Placed an hour ago, nothing shipped: can be cancelled.
    "cancellable": OrderSpec(
        "WM-104313", "mei", S.PROCESSING, ago(0, 1, 20), {"HAMMOCK": 1, "LAMP-HD": 1}, (4, 7)),
    # Placed this morning, nothing shipped: the address can change.
    "address_change": OrderSpec(
        "WM-104314", "theo", S.PROCESSING, ago(0, 4, 30), {"BOOT-HIKE": 1, "SOCK-MW": 1}, (4, 7)),
    # On its way with UPS: too late to cancel (refuse the delivery or return it instead).
    "not_cancellable": OrderSpec(
        "WM-104315", "sara", S.FULFILLED, ago(2, 6), {"JKT-DOWN": 1}, (1, 3), (
            Parcel("ups", "Ground", AT_VIA, ago(1, 5), ago(0, 3, 50), 2),
        )),
}
# fmt: on


def _delivered_order(
    number: str,
    who: str,
    items: Mapping[str, int],
    carrier: str,
    service: str,
    days: int,
    detail: str = "delivered_to_door",
) -> OrderSpec:
    """An ordinary order delivered `days` ago, on time."""
    steps = delivered(detail, abroad=carrier == "dhl")
    # Vary the hour of the delivery and of the other times a little, deterministically.
    shipped, last = ago(days + 3, 4 + days % 3), ago(days, days % 4, (days * 13) % 60)
    parcel = Parcel(carrier, service, steps, shipped, last, -days)
    placed, promised = ago(days + 4, 2 + days % 5), (-days - 1, -days + 1)
    return OrderSpec(number, who, S.FULFILLED, placed, items, promised, (parcel,))


# fmt: off
BACKGROUND = (
    _delivered_order("WM-104194", "daniel", {"TENT-4P": 1}, "ups", "Ground", 3),
    _delivered_order("WM-104158", "emily", {"BAG-20F": 1, "PAD-INS": 1}, "fedex",
                     "Home Delivery", 6),
    _delivered_order("WM-104184", "marcus", {"BOOT-HIKE": 1}, "usps", "Priority Mail", 4),
    _delivered_order("WM-104135", "sofia", {"PACK-22": 1, "FILT-SQZ": 1}, "ups", "Ground", 8),
    _delivered_order("WM-104175", "isabella", {"JKT-RAIN": 1, "SOCK-MW": 2}, "dhl",
                     "Express Worldwide", 5),
    _delivered_order("WM-104148", "george", {"TENT-2P": 1}, "dhl", "Express Worldwide", 7,
                     "signed_for"),
    _delivered_order("WM-104211", "ava", {"COOL-45": 1}, "fedex", "Home Delivery", 2,
                     "delivered_to_neighbor"),
    _delivered_order("WM-104089", "lucas", {"STOVE-CAN": 1, "POT-TI": 1}, "usps",
                     "Ground Advantage", 12),
    _delivered_order("WM-104122", "nina", {"HAMMOCK": 1, "LAMP-HD": 1}, "ups", "Ground", 9,
                     "delivered_to_safe_place"),
    _delivered_order("WM-104052", "peter", {"BINO-842": 1}, "fedex", "2Day", 15, "signed_for"),
    _delivered_order("WM-103993", "ruth", {"JKT-DOWN": 1}, "usps", "Priority Mail", 20),
    _delivered_order("WM-103911", "amara", {"CHAIR-CMP": 2, "COOL-45": 1}, "fedex",
                     "Home Delivery", 27),
    _delivered_order("WM-103817", "henry", {"POLE-TRK": 1, "AID-KIT": 1}, "ups", "Ground", 35),
    _delivered_order("WM-103958", "maria", {"BOOT-HIKE": 1, "SOCK-MW": 2}, "ups", "Ground", 23),
)
# fmt: on

# A parcel whose next scan is still to come when the demo loads: about five minutes
# later it goes out for delivery, the sandbox carrier's webhook says so, and a shopper
# who asked for updates on it gets one (docs/phone-channels.md). With a fixed clock
# (WISMO_NOW) the scan never comes due, and the parcel reads as on its way.
COMING = (
    OrderSpec(
        "WM-104260",
        "lucas",
        S.FULFILLED,
        ago(3, 2),
        {"LAMP-HD": 1},
        (0, 1),
        (Parcel("ups", "Ground", OUT_FOR_DELIVERY, ago(2, 4), -ago(0, 0, 5), 0),),
    ),
)

ORDERS: tuple[OrderSpec, ...] = (*SHOWCASE.values(), *BACKGROUND, *POLICY_CASES.values(), *COMING)

SCENARIOS: dict[str, str] = {
    name: order.number for name, order in (*SHOWCASE.items(), *POLICY_CASES.items())
}
