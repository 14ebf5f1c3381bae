"""Turn the scenario table into an order import document (shared contract orders-import.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo.catalog import CURRENCY, PRODUCTS
from bot.demo.journeys import Step, describe
from bot.demo.people import PEOPLE, WAREHOUSE, Person, Place
from bot.demo.scenarios import ORDERS, OrderSpec, Parcel
from bot.demo.tracking_numbers import tracking_number

Json = dict[str, Any]

STORE_TIMEZONE = ZoneInfo("America/New_York")
LABEL_LEAD = timedelta(minutes=5)  # the label is printed just after the parcel is "shipped"


class Timeline:
    """Times and dates relative to one "now", in the store's timezone, to the minute."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        # UTC arithmetic keeps "3 days ago" exactly 72 hours ago across DST changes.
        self.now = _minute(now.astimezone(UTC))
        self.today = now.astimezone(STORE_TIMEZONE).date()

    def before(self, delta: timedelta) -> datetime:
        """The instant `delta` before now."""
        return self.now - delta

    def date(self, days: int) -> date:
        """Today plus `days` in the store's calendar."""
        return self.today + timedelta(days=days)


def build_demo(now: datetime) -> Json:
    """The demo data set as of `now`: the same `now` always gives the same document."""
    timeline = Timeline(now)
    orders: list[Json] = []
    tracking: list[Json] = []
    for index, spec in enumerate(ORDERS):
        person = PEOPLE[spec.who]
        numbers = [_number(parcel, index, k) for k, parcel in enumerate(spec.parcels)]
        orders.append(_order(spec, person, numbers, timeline))
        for parcel, number in zip(spec.parcels, numbers, strict=True):
            if parcel.steps:
                tracking.append(_tracking(parcel, number, person, timeline))
    return {"orders": orders, "tracking": tracking}


def _number(parcel: Parcel, order_index: int, parcel_index: int) -> str:
    if parcel.tracking_number is not None:
        return parcel.tracking_number
    return tracking_number(parcel.carrier, parcel.service, order_index * 10 + parcel_index)


def _order(spec: OrderSpec, person: Person, numbers: list[str], timeline: Timeline) -> Json:
    promised = None
    if spec.promised is not None:
        earliest, latest = spec.promised
        promised = {
            "earliest": _iso_date(timeline, earliest),
            "latest": _iso_date(timeline, latest),
        }
    return {
        "order_number": spec.number,
        "placed_at": _iso(timeline.before(spec.placed)),
        "status": spec.status.value,
        "customer": {"name": person.name, "email": person.email, "phone": person.phone},
        "shipping_address": {
            "line1": person.line1,
            "line2": person.line2,
            "city": person.city,
            "region": person.region,
            "postal_code": person.postal_code,
            "country": person.country,
        },
        "items": [_item(sku, quantity) for sku, quantity in spec.items.items()],
        "promised_delivery": promised,
        "backorder_until": _iso_date(timeline, spec.backorder_until),
        "shipments": [
            _shipment(parcel, number, spec.items, timeline)
            for parcel, number in zip(spec.parcels, numbers, strict=True)
        ],
    }


def _item(sku: str, quantity: int) -> Json:
    name, price = PRODUCTS[sku]
    return {
        "sku": sku,
        "name": name,
        "quantity": quantity,
        "unit_price": price,
        "currency": CURRENCY,
    }


def _shipment(
    parcel: Parcel, number: str, order_items: Mapping[str, int], timeline: Timeline
) -> Json:
    items = parcel.items if parcel.items is not None else order_items
    return {
        "carrier": parcel.carrier,
        "tracking_number": number,
        "service": parcel.service,
        "shipped_at": _iso(timeline.before(parcel.shipped)),
        "items": [{"sku": sku, "quantity": quantity} for sku, quantity in items.items()],
    }


def _tracking(parcel: Parcel, number: str, person: Person, timeline: Timeline) -> Json:
    times = _spread(
        timeline.before(parcel.shipped) + LABEL_LEAD,
        timeline.before(parcel.last_scan),
        parcel.steps,
    )
    return {
        "carrier": parcel.carrier,
        "tracking_number": number,
        "estimated_delivery": _iso_date(timeline, parcel.eta),
        "events": [
            _event(step, time, person) for step, time in zip(parcel.steps, times, strict=True)
        ],
    }


def _spread(first: datetime, last: datetime, steps: tuple[Step, ...]) -> list[datetime]:
    """When each step happens: fixed gaps as given, the rest of the time shared by weight."""
    if len(steps) == 1:
        return [last]
    later = steps[1:]
    fixed = sum((s.gap for s in later if s.gap is not None), timedelta(0))
    free, shares = last - first - fixed, sum(s.weight for s in later if s.gap is None)
    if free < timedelta(0) or shares == 0:
        raise ValueError("a parcel's fixed gaps do not fit between its label and last scan")
    times, elapsed, shared = [first], timedelta(0), 0
    for step in later:
        if step.gap is not None:
            elapsed += step.gap
        else:
            shared += step.weight
        times.append(_minute(first + elapsed + free * shared // shares))
    return times


def _event(step: Step, time: datetime, person: Person) -> Json:
    return {
        "time": _iso(time),
        "status": step.status,
        "detail": step.detail,
        "description": describe(step, _signer(person)),
        "location": _location(step.at, person),
    }


def _location(at: str | None, person: Person) -> Json | None:
    if at is None:
        return None
    destination = Place(person.city, person.region, person.country)
    places = {"origin": WAREHOUSE, "via": person.via, "hub": person.hub, "city": destination}
    place = places[at]
    postal_code = person.postal_code if at == "city" else None
    return {
        "city": place.city,
        "region": place.region,
        "postal_code": postal_code,
        "country": place.country,
    }


def _signer(person: Person) -> str:
    """How a carrier prints a signature: "P. RAMAN"."""
    first, *rest = person.name.split()
    return f"{first[0]}. {' '.join(rest).upper()}"


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.astimezone(STORE_TIMEZONE).isoformat()


def _iso_date(timeline: Timeline, days: int | None) -> str | None:
    return None if days is None else timeline.date(days).isoformat()
