"""The carrier-neutral tracking model: statuses, details, events, snapshots."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import quote


class ShipmentStatus(enum.StrEnum):
    """Normalized shipment status (the import contract's event `status`)."""

    PRE_TRANSIT = "pre_transit"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    ATTEMPT_FAILED = "attempt_failed"
    EXCEPTION = "exception"
    RETURN_TO_SENDER = "return_to_sender"
    UNKNOWN = "unknown"


class StatusDetail(enum.StrEnum):
    """Refinement of a status (the contract's event `detail`, at least these)."""

    LABEL_CREATED = "label_created"
    PICKED_UP = "picked_up"
    ARRIVAL_SCAN = "arrival_scan"
    DEPARTURE_SCAN = "departure_scan"
    CUSTOMS_CLEARANCE = "customs_clearance"
    WEATHER_DELAY = "weather_delay"
    CARRIER_DELAY = "carrier_delay"
    CUSTOMS_DELAY = "customs_delay"
    ADDRESS_ISSUE = "address_issue"
    RECIPIENT_UNAVAILABLE = "recipient_unavailable"
    REFUSED = "refused"
    DAMAGED = "damaged"
    LOST = "lost"
    HELD_AT_FACILITY = "held_at_facility"
    DELIVERED_TO_DOOR = "delivered_to_door"
    DELIVERED_TO_NEIGHBOR = "delivered_to_neighbor"
    DELIVERED_TO_SAFE_PLACE = "delivered_to_safe_place"
    DELIVERED_TO_MAILROOM = "delivered_to_mailroom"
    SIGNED_FOR = "signed_for"
    RETURNED = "returned"


DELAY_DETAILS = frozenset(
    {StatusDetail.WEATHER_DELAY, StatusDetail.CARRIER_DELAY, StatusDetail.CUSTOMS_DELAY}
)


def parse_detail(value: str | None) -> StatusDetail | str | None:
    """A known detail as its enum; an unknown one is kept as its raw string."""
    if value is None:
        return None
    try:
        return StatusDetail(value)
    except ValueError:
        return value


@dataclass(frozen=True)
class Location:
    """Where a scan happened; every part is optional."""

    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None

    def label(self) -> str:
        """ "Memphis, TN" style, or "" when nothing is known."""
        parts = [p for p in (self.city, self.region) if p]
        if not parts and self.country:
            parts = [self.country]
        return ", ".join(parts)


@dataclass(frozen=True)
class TrackingEvent:
    """One scan of a parcel."""

    time: datetime
    status: ShipmentStatus
    detail: StatusDetail | str | None = None
    description: str = ""
    location: Location | None = None


@dataclass(frozen=True)
class Tracking:
    """What a carrier says of one parcel, carrier-neutral."""

    carrier: str
    tracking_number: str
    status: ShipmentStatus
    detail: StatusDetail | str | None = None
    estimated_delivery: date | None = None
    events: tuple[TrackingEvent, ...] = field(default_factory=tuple)
    fetched_at: datetime | None = None

    @property
    def last_event(self) -> TrackingEvent | None:
        """The latest scan, if any."""
        return self.events[-1] if self.events else None


CARRIER_NAMES = {"ups": "UPS", "usps": "USPS", "fedex": "FedEx", "dhl": "DHL"}


def carrier_name(code: str) -> str:
    """The carrier as shoppers know it: `ups` -> `UPS`."""
    return CARRIER_NAMES.get(code.lower(), code.upper())


# Each carrier's public tracking page for one tracking number.
TRACKING_PAGES = {
    "ups": "https://www.ups.com/track?tracknum={}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
    "dhl": "https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id={}",
}


def tracking_page(carrier: str, tracking_number: str) -> str | None:
    """The carrier's own page for this parcel, or None for a carrier we have no page of."""
    page = TRACKING_PAGES.get(carrier.lower())
    return page.format(quote(tracking_number, safe="")) if page else None
