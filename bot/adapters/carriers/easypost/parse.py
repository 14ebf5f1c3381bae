"""EasyPost wire shapes and their reading into our tracking model: pure, no I/O.

Carrier JSON stops here: the client hands bodies to `parse_tracker` and
`parse_error`, and only `Tracking` values and `CarrierError`s come out.
Shapes: https://docs.easypost.com/docs/trackers and https://docs.easypost.com/docs/errors
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TypedDict

from dateutil.parser import isoparse

from bot.adapters.carriers.easypost.codes import carrier_from_easypost, from_easypost
from bot.domain.errors import (
    CarrierAuthError,
    CarrierError,
    CarrierUnavailable,
    TrackingNotFound,
)
from bot.domain.shipments import (
    Location,
    ShipmentStatus,
    StatusDetail,
    Tracking,
    TrackingEvent,
)


class TrackingLocationBody(TypedDict):
    """A TrackingDetail's `tracking_location`."""

    object: str
    city: str | None
    state: str | None
    country: str | None
    zip: str | None


class TrackingDetailBody(TypedDict):
    """One entry of a Tracker's `tracking_details`: one scan."""

    object: str
    message: str | None
    description: str | None
    status: str
    status_detail: str | None
    datetime: str
    source: str | None
    carrier_code: str | None
    tracking_location: TrackingLocationBody


class CarrierDetailBody(TypedDict):
    """A Tracker's `carrier_detail` (the parts we fill)."""

    object: str
    service: str | None
    container_type: str | None
    est_delivery_date_local: str | None
    est_delivery_time_local: str | None


class TrackerBody(TypedDict):
    """The Tracker object."""

    id: str
    object: str
    mode: str
    tracking_code: str
    status: str
    status_detail: str | None
    signed_by: str | None
    weight: float | None
    est_delivery_date: str | None
    shipment_id: str | None
    carrier: str
    tracking_details: list[TrackingDetailBody]
    carrier_detail: CarrierDetailBody | None
    public_url: str | None
    fees: list[dict[str, str | bool]]
    created_at: str
    updated_at: str


class TrackerListBody(TypedDict):
    """The answer of GET /trackers."""

    trackers: list[TrackerBody]
    has_more: bool


class ErrorFields(TypedDict):
    """The Error object."""

    code: str
    message: str
    errors: list[dict[str, str | None]]


class ErrorBody(TypedDict):
    """An error answer: the Error object under `error`."""

    error: ErrorFields


Current = tuple[ShipmentStatus, StatusDetail | str | None]
_Scan = tuple[tuple[str | None, str | None], TrackingEvent]


def parse_tracker(body: object, fetched_at: datetime | None = None) -> Tracking:
    """Our Tracking from a Tracker body; CarrierUnavailable when it is not one."""
    tracker = body if isinstance(body, Mapping) else {}
    number = _text(tracker.get("tracking_code"))
    if number is None:
        raise CarrierUnavailable("EasyPost answered something that is not a Tracker")
    scans = _scans(tracker.get("tracking_details"))
    status, detail = _current(tracker, scans)
    return Tracking(
        carrier=carrier_from_easypost(_text(tracker.get("carrier")) or ""),
        tracking_number=number,
        status=status,
        detail=detail,
        estimated_delivery=_date(tracker.get("est_delivery_date")),
        events=tuple(event for _, event in scans),
        fetched_at=fetched_at,
    )


def parse_error(status_code: int, body: object) -> CarrierError:
    """The CarrierError for an error answer (its body may be anything, even None)."""
    text = _error_text(status_code, body)
    if status_code in (401, 403):
        return CarrierAuthError(text)
    if status_code == 404:
        return TrackingNotFound(text)
    if status_code == 429 or status_code >= 500:
        return CarrierUnavailable(text)
    return CarrierError(text)


def _current(tracker: Mapping[str, object], scans: list[_Scan]) -> Current:
    """The tracker's status; its exact detail comes from the latest scan saying the same."""
    wire = (_text(tracker.get("status")), _text(tracker.get("status_detail")))
    if scans and scans[-1][0] == wire:
        latest = scans[-1][1]
        return latest.status, latest.detail
    return from_easypost(*wire)


def _scans(value: object) -> list[_Scan]:
    """The readable tracking details, oldest first; one without a time is skipped."""
    if not isinstance(value, list):
        return []
    scans = [scan for item in value if (scan := _scan(item)) is not None]
    return sorted(scans, key=lambda scan: scan[1].time)


def _scan(item: object) -> _Scan | None:
    """One TrackingDetail as (its EasyPost status pair, our event), or None if unreadable."""
    if not isinstance(item, Mapping):
        return None
    time = _datetime(item.get("datetime"))
    if time is None:
        return None
    wire = (_text(item.get("status")), _text(item.get("status_detail")))
    status, detail = from_easypost(*wire, carrier_code=_text(item.get("carrier_code")))
    description = _text(item.get("message")) or _text(item.get("description")) or ""
    location = _location(item.get("tracking_location"))
    return wire, TrackingEvent(time, status, detail, description, location)


def _location(value: object) -> Location | None:
    """A TrackingLocation as our Location; None when it says nothing."""
    if not isinstance(value, Mapping):
        return None
    location = Location(
        city=_text(value.get("city")),
        region=_text(value.get("state")),
        postal_code=_text(value.get("zip")),
        country=_text(value.get("country")),
    )
    return None if location == Location() else location


def _datetime(value: object) -> datetime | None:
    """An ISO 8601 instant; EasyPost's offset-less times are UTC."""
    text = _text(value)
    if text is None:
        return None
    try:
        moment = isoparse(text)  # also takes carriers' variants: basic format, 9-digit fractions
    except (ValueError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _date(value: object) -> date | None:
    """The calendar date of `est_delivery_date` ("2026-11-21T00:00:00Z"), as written."""
    text = _text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _error_text(status_code: int, body: object) -> str:
    """The text "EasyPost 404 NOT_FOUND: message" from whatever the error body holds."""
    error = body.get("error") if isinstance(body, Mapping) else None
    fields = error if isinstance(error, Mapping) else {}
    code = _text(fields.get("code"))
    message = fields.get("message")
    if isinstance(message, list):  # EasyPost's own libraries join it: it can come as a list
        message = ", ".join(str(part) for part in message)
    text = f"EasyPost {status_code}" + (f" {code}" if code else "")
    return text + (f": {message}" if isinstance(message, str) and message else "")


def _text(value: object) -> str | None:
    """A non-empty string, else None."""
    return value if isinstance(value, str) and value else None
