"""EasyPost tracker codes <-> our ShipmentStatus / StatusDetail, and carrier names.

Sources (checked when this table was written):
- Tracker object, `status` and `status_detail`: https://docs.easypost.com/docs/trackers
  (value lists as enumerated by EasyPost's own client library,
  EasyPost/easypost-csharp `EasyPost/Models/API/Tracker.cs`).
- Error object: https://docs.easypost.com/docs/errors

Decisions, where EasyPost has no exact counterpart of ours:
- `attempt_failed` <-> status `failure` + status_detail `delivery_exception`.
  EasyPost reports a missed delivery as a failure; `delivery_exception` is kept
  for that case only, so `failure` with any other detail reads as `exception`.
- `exception` <-> status `failure` + the detail's own EasyPost counterpart
  (`failure` when there is none); EasyPost's `cancelled` status also reads as
  `exception`, its `error` status as `unknown`.
- Several of our details share one EasyPost detail (every `delivered_to_*` and
  `signed_for` is `arrived_at_destination`). The sandbox also sends our exact
  detail as the event's `carrier_code` (the carrier's own event code, opaque to
  EasyPost); `from_easypost` trusts it only when re-encoding that detail gives
  back the very status and status_detail received, so a real carrier's code
  ("DE", "OD" ...) is never mistaken for ours.
- Unknown statuses read as `unknown`; unknown details are kept as raw strings.
"""

from __future__ import annotations

from bot.domain.shipments import ShipmentStatus, StatusDetail, parse_detail

Status = ShipmentStatus
Detail = StatusDetail

# The Tracker `status` values documented by EasyPost.
EASYPOST_STATUSES = frozenset(
    {
        "unknown",
        "pre_transit",
        "in_transit",
        "out_for_delivery",
        "delivered",
        "available_for_pickup",
        "return_to_sender",
        "failure",
        "cancelled",
        "error",
    }
)

# The Tracker `status_detail` values documented by EasyPost.
EASYPOST_DETAILS = frozenset(
    {
        "address_correction",
        "arrived_at_destination",
        "arrived_at_facility",
        "arrived_at_pickup_location",
        "awaiting_information",
        "cancelled",
        "damaged",
        "delayed",
        "delivery_exception",
        "departed_facility",
        "departed_origin_facility",
        "expired",
        "failure",
        "held",
        "in_transit",
        "label_created",
        "lost",
        "missorted",
        "out_for_delivery",
        "received_at_destination_facility",
        "received_at_origin_facility",
        "refused",
        "return",
        "status_update",
        "transferred_to_destination_carrier",
        "transit_exception",
        "unknown",
        "weather_delay",
    }
)

ATTEMPT_DETAIL = "delivery_exception"

STATUS_FROM_EASYPOST: dict[str, ShipmentStatus] = {
    "unknown": Status.UNKNOWN,
    "pre_transit": Status.PRE_TRANSIT,
    "in_transit": Status.IN_TRANSIT,
    "out_for_delivery": Status.OUT_FOR_DELIVERY,
    "delivered": Status.DELIVERED,
    "available_for_pickup": Status.AVAILABLE_FOR_PICKUP,
    "return_to_sender": Status.RETURN_TO_SENDER,
    "failure": Status.EXCEPTION,
    "cancelled": Status.EXCEPTION,
    "error": Status.UNKNOWN,
}

STATUS_TO_EASYPOST: dict[ShipmentStatus, str] = {
    Status.UNKNOWN: "unknown",
    Status.PRE_TRANSIT: "pre_transit",
    Status.IN_TRANSIT: "in_transit",
    Status.OUT_FOR_DELIVERY: "out_for_delivery",
    Status.DELIVERED: "delivered",
    Status.AVAILABLE_FOR_PICKUP: "available_for_pickup",
    Status.RETURN_TO_SENDER: "return_to_sender",
    Status.ATTEMPT_FAILED: "failure",
    Status.EXCEPTION: "failure",
}

# EasyPost detail -> ours; None means "nothing beyond the status". A documented
# detail missing here (awaiting_information, cancelled, expired, delivery_exception
# outside `failure`, transferred_to_destination_carrier, transit_exception) has no
# counterpart of ours and is kept as its raw string.
DETAIL_FROM_EASYPOST: dict[str, StatusDetail | None] = {
    "address_correction": Detail.ADDRESS_ISSUE,
    "arrived_at_destination": None,
    "arrived_at_facility": Detail.ARRIVAL_SCAN,
    "arrived_at_pickup_location": None,
    "damaged": Detail.DAMAGED,
    "delayed": Detail.CARRIER_DELAY,
    "departed_facility": Detail.DEPARTURE_SCAN,
    "departed_origin_facility": Detail.DEPARTURE_SCAN,
    "failure": None,
    "held": Detail.HELD_AT_FACILITY,
    "in_transit": None,
    "label_created": Detail.LABEL_CREATED,
    "lost": Detail.LOST,
    "missorted": Detail.CARRIER_DELAY,
    "out_for_delivery": None,
    "received_at_destination_facility": Detail.ARRIVAL_SCAN,
    "received_at_origin_facility": Detail.PICKED_UP,
    "refused": Detail.REFUSED,
    "return": Detail.RETURNED,
    "status_update": None,
    "unknown": None,
    "weather_delay": Detail.WEATHER_DELAY,
}

# Ours -> the closest documented EasyPost detail (never `delivery_exception`,
# which is reserved for attempt_failed).
DETAIL_TO_EASYPOST: dict[StatusDetail, str] = {
    Detail.LABEL_CREATED: "label_created",
    Detail.PICKED_UP: "received_at_origin_facility",
    Detail.ARRIVAL_SCAN: "arrived_at_facility",
    Detail.DEPARTURE_SCAN: "departed_facility",
    Detail.CUSTOMS_CLEARANCE: "in_transit",
    Detail.WEATHER_DELAY: "weather_delay",
    Detail.CARRIER_DELAY: "delayed",
    Detail.CUSTOMS_DELAY: "delayed",
    Detail.ADDRESS_ISSUE: "address_correction",
    # A FedEx "customer not available" scan reaches EasyPost as failure/delayed.
    Detail.RECIPIENT_UNAVAILABLE: "delayed",
    Detail.REFUSED: "refused",
    Detail.DAMAGED: "damaged",
    Detail.LOST: "lost",
    Detail.HELD_AT_FACILITY: "held",
    Detail.DELIVERED_TO_DOOR: "arrived_at_destination",
    Detail.DELIVERED_TO_NEIGHBOR: "arrived_at_destination",
    Detail.DELIVERED_TO_SAFE_PLACE: "arrived_at_destination",
    Detail.DELIVERED_TO_MAILROOM: "arrived_at_destination",
    Detail.SIGNED_FOR: "arrived_at_destination",
    Detail.RETURNED: "return",
}

# The EasyPost detail sent with a status when we have no detail; each reads back as None.
DEFAULT_DETAIL: dict[ShipmentStatus, str] = {
    Status.UNKNOWN: "unknown",
    Status.PRE_TRANSIT: "status_update",
    Status.IN_TRANSIT: "in_transit",
    Status.OUT_FOR_DELIVERY: "out_for_delivery",
    Status.DELIVERED: "arrived_at_destination",
    Status.AVAILABLE_FOR_PICKUP: "arrived_at_pickup_location",
    Status.RETURN_TO_SENDER: "status_update",
    Status.ATTEMPT_FAILED: ATTEMPT_DETAIL,
    Status.EXCEPTION: "failure",
}

# Our carrier codes <-> EasyPost's carrier names (the Tracker's `carrier`).
CARRIER_TO_EASYPOST: dict[str, str] = {
    "ups": "UPS",
    "usps": "USPS",
    "fedex": "FedEx",
    "dhl": "DHLExpress",
}
_CARRIER_FROM_EASYPOST = {name.lower(): code for code, name in CARRIER_TO_EASYPOST.items()}


def status_from_easypost(status: str | None, detail: str | None) -> ShipmentStatus:
    """Our status for an EasyPost status (and detail, which tells a missed delivery)."""
    if status == "failure" and detail == ATTEMPT_DETAIL:
        return Status.ATTEMPT_FAILED
    return STATUS_FROM_EASYPOST.get(status or "", Status.UNKNOWN)


def detail_from_easypost(detail: str | None) -> StatusDetail | str | None:
    """Our closest detail for an EasyPost detail; an unknown one is kept raw."""
    if not detail:
        return None
    if detail in DETAIL_FROM_EASYPOST:
        return DETAIL_FROM_EASYPOST[detail]
    return parse_detail(detail)


def to_easypost(status: ShipmentStatus, detail: StatusDetail | str | None) -> tuple[str, str]:
    """The EasyPost (status, status_detail) pair that stands for ours."""
    if status is Status.ATTEMPT_FAILED:
        return STATUS_TO_EASYPOST[status], ATTEMPT_DETAIL
    if detail is None or detail == ATTEMPT_DETAIL:
        return STATUS_TO_EASYPOST[status], DEFAULT_DETAIL[status]
    if isinstance(detail, StatusDetail):
        return STATUS_TO_EASYPOST[status], DETAIL_TO_EASYPOST[detail]
    return STATUS_TO_EASYPOST[status], detail


def from_easypost(
    status: str | None, detail: str | None, carrier_code: str | None = None
) -> tuple[ShipmentStatus, StatusDetail | str | None]:
    """Our (status, detail) for an EasyPost pair, made exact by a matching `carrier_code`."""
    ours = status_from_easypost(status, detail)
    exact = _exact_detail(ours, status, detail, carrier_code)
    if exact is not None:
        return ours, exact
    if ours is Status.ATTEMPT_FAILED:
        return ours, None
    return ours, detail_from_easypost(detail)


def _exact_detail(
    ours: ShipmentStatus, status: str | None, detail: str | None, carrier_code: str | None
) -> StatusDetail | None:
    """Our detail named by `carrier_code`, if encoding it gives back the pair received."""
    if not carrier_code:
        return None
    try:
        candidate = StatusDetail(carrier_code)
    except ValueError:
        return None
    if to_easypost(ours, candidate) != (status, detail):
        return None
    return candidate


def carrier_to_easypost(carrier: str) -> str:
    """EasyPost's name for our carrier code; another code is passed through as is."""
    return CARRIER_TO_EASYPOST.get(carrier, carrier)


def carrier_from_easypost(name: str) -> str:
    """Our carrier code for EasyPost's carrier name; another name is lower-cased."""
    return _CARRIER_FROM_EASYPOST.get(name.lower(), name.lower())
