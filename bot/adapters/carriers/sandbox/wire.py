"""Our Tracking rendered as EasyPost's Tracker JSON, as the sandbox carrier serves it: pure.

The sandbox shows the world as it stands at "now": only scans whose time has
come are in `tracking_details`, and the tracker's status is that of the latest
of them. A parcel with no scan yet looks like a code EasyPost cannot find yet:
status "unknown", no details, no estimate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from bot.adapters.carriers.easypost.codes import carrier_to_easypost, to_easypost
from bot.adapters.carriers.easypost.parse import (
    CarrierDetailBody,
    ErrorBody,
    TrackerBody,
    TrackerListBody,
    TrackingDetailBody,
    TrackingLocationBody,
)
from bot.domain.shipments import Location, StatusDetail, Tracking, TrackingEvent


def tracker_id(carrier: str, tracking_number: str) -> str:
    """A stable EasyPost-looking id for a parcel: "trk_" and 32 hex digits."""
    digest = hashlib.sha256(f"{carrier}:{tracking_number}".encode()).hexdigest()
    return "trk_" + digest[:32]


def visible_events(tracking: Tracking | None, now: datetime) -> tuple[TrackingEvent, ...]:
    """The scans that have happened by `now`, oldest first."""
    if tracking is None:
        return ()
    return tuple(sorted((e for e in tracking.events if e.time <= now), key=lambda e: e.time))


def render_tracker(
    carrier: str, tracking_number: str, tracking: Tracking | None, now: datetime
) -> TrackerBody:
    """The Tracker body for a parcel as it stands at `now` (unknown when nothing is visible)."""
    events = visible_events(tracking, now)
    name = carrier_to_easypost(carrier)
    details = [_detail(event, name) for event in events]
    estimate = tracking.estimated_delivery if tracking is not None and events else None
    return {
        "id": tracker_id(carrier, tracking_number),
        "object": "Tracker",
        "mode": "test",
        "tracking_code": tracking_number,
        "status": details[-1]["status"] if details else "unknown",
        "status_detail": details[-1]["status_detail"] if details else "unknown",
        "signed_by": None,
        "weight": None,
        "est_delivery_date": _midnight(estimate),
        "shipment_id": None,
        "carrier": name,
        "tracking_details": details,
        "carrier_detail": _carrier_detail(estimate),
        "public_url": None,
        "fees": [],
        "created_at": _utc(events[0].time if events else now),
        "updated_at": _utc(events[-1].time if events else now),
    }


def render_list(trackers: Iterable[TrackerBody]) -> TrackerListBody:
    """The body of GET /trackers (one page holds everything)."""
    return {"trackers": list(trackers), "has_more": False}


def render_error(code: str, message: str, errors: Sequence[str] = ()) -> ErrorBody:
    """An EasyPost-shaped error body."""
    fields = [{"field": "tracker", "message": text, "suggestion": None} for text in errors]
    return {"error": {"code": code, "message": message, "errors": fields}}


def _detail(event: TrackingEvent, carrier_name: str) -> TrackingDetailBody:
    """One scan as a TrackingDetail; our exact detail rides in `carrier_code`."""
    status, status_detail = to_easypost(event.status, event.detail)
    exact = event.detail.value if isinstance(event.detail, StatusDetail) else event.detail
    return {
        "object": "TrackingDetail",
        "message": event.description,
        "description": event.description,
        "status": status,
        "status_detail": status_detail,
        "datetime": event.time.isoformat(),
        "source": carrier_name,
        "carrier_code": exact,
        "tracking_location": _location(event.location),
    }


def _location(location: Location | None) -> TrackingLocationBody:
    """A TrackingLocation (EasyPost always sends one, all null when nothing is known)."""
    where = location or Location()
    return {
        "object": "TrackingLocation",
        "city": where.city,
        "state": where.region,
        "country": where.country,
        "zip": where.postal_code,
    }


def _carrier_detail(estimate: date | None) -> CarrierDetailBody:
    """The CarrierDetail: only the local estimated delivery date is known here."""
    return {
        "object": "CarrierDetail",
        "service": None,
        "container_type": None,
        "est_delivery_date_local": estimate.isoformat() if estimate else None,
        "est_delivery_time_local": None,
    }


def _midnight(day: date | None) -> str | None:
    """EasyPost writes `est_delivery_date` as a midnight UTC timestamp."""
    return f"{day.isoformat()}T00:00:00Z" if day else None


def _utc(moment: datetime) -> str:
    """The instant in UTC, the way EasyPost writes it: 2026-11-17T15:05:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
