"""Turn an order report into the domain's responses and their variables (pure).

Only names and data come out of here: every word the shopper reads is in
domain.yml's responses. A parcel's response name says which sentence fits:
`utter_parcel_<status>`, plus `_at_place` when its last scan has a place and
`_numbered` when the order came in several parcels ("Parcel 2 of 3").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from bot.domain.orders import Order, OrderStatus
from bot.domain.policy import Assessment, NextStep
from bot.domain.shipments import DELAY_DETAILS, ShipmentStatus, carrier_name
from bot.domain.wording import ago, day_label, day_phrase, moment
from bot.services.wismo import OrderReport, ShipmentReport

_NOT_MOVING = frozenset(
    {ShipmentStatus.DELIVERED, ShipmentStatus.RETURN_TO_SENDER, ShipmentStatus.UNKNOWN}
)
_WAITING_STATUSES = {
    OrderStatus.PROCESSING: "utter_order_processing",
    OrderStatus.ON_HOLD: "utter_order_on_hold",
    OrderStatus.BACKORDERED: "utter_order_backordered",
}
# The statuses whose sentence says where the last scan was, when the carrier said.
PLACED_STATUSES = frozenset(
    {
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.AVAILABLE_FOR_PICKUP,
        ShipmentStatus.DELIVERED,
        ShipmentStatus.EXCEPTION,
        ShipmentStatus.RETURN_TO_SENDER,
    }
)
# A parcel whose carrier has no scan for it yet (its status alone says nothing).
NO_SCAN = "no_scan"


@dataclass(frozen=True)
class Reply:
    """One response of the domain, with the values of its variables."""

    response: str
    values: dict[str, str] = field(default_factory=dict)


def _clean(text: str) -> str:
    """Carrier text is shown as plain text: no markup gets through."""
    return text.replace("<", "").replace(">", "").strip()


def order_values(order: Order, local: tzinfo) -> dict[str, str]:
    """Variables about the order itself; never the street line."""
    address = order.shipping_address
    destination = ", ".join(p for p in (address.city, address.region) if p)
    return {
        "order_number": order.order_number,
        "placed": day_label(order.placed_at.astimezone(local).date()),
        "destination": destination or address.country,
    }


def render_order(report: OrderReport, topic: str | None, local: tzinfo) -> list[Reply]:
    """Everything the shopper is told about one order."""
    order, now = report.order, report.now.astimezone(local)
    values = order_values(order, local)
    if order.status is OrderStatus.CANCELLED:
        return [Reply("utter_order_cancelled", values)]
    if not report.shipments:
        return [_waiting(order, values)]
    count = len(report.shipments)
    overview = "utter_order_single" if count == 1 else "utter_order_overview"
    replies = [Reply(overview, {**values, "count": str(count)})]
    for index, parcel in enumerate(report.shipments, start=1):
        numbering = {"parcel_number": str(index), "parcel_count": str(count)} if count > 1 else {}
        replies += render_parcel(order, parcel, numbering, topic, now)
    if report.unshipped:
        items = ", ".join(f"{item.quantity} x {item.name}" for item in report.unshipped)
        replies.append(Reply("utter_unshipped_items", {"items": items}))
    replies += _topic_replies(report, topic)
    return replies


def _waiting(order: Order, values: dict[str, str]) -> Reply:
    """An order with no parcel yet: why, and until when when we know."""
    name = _WAITING_STATUSES.get(order.status, "utter_order_processing")
    if name == "utter_order_backordered" and order.backorder_until is None:
        return Reply("utter_order_backordered_undated", values)
    if order.backorder_until is not None:
        values = {**values, "backorder_until": day_label(order.backorder_until)}
    return Reply(name, values)


def _topic_replies(report: OrderReport, topic: str | None) -> list[Reply]:
    delivered = any(
        p.tracking and p.tracking.status is ShipmentStatus.DELIVERED for p in report.shipments
    )
    if topic == "package_missing" and delivered:
        return [Reply("utter_missing_after_delivery")]
    if topic == "package_damaged":
        return [Reply("utter_damaged")]
    return []


def parcel_values(
    order: Order, parcel: ShipmentReport, numbering: dict[str, str], now: datetime
) -> dict[str, str]:
    """Variables about one parcel; those of a scan are empty when there is none."""
    shipment, tracking = parcel.shipment, parcel.tracking
    values = {
        **numbering,
        "carrier": carrier_name(shipment.carrier),
        "tracking_number": shipment.tracking_number,
        "last_scan": "",
        "place": "",
        "ago": "",
        "last_time": "",
        "delivered_on": "",
        "promised": day_label(order.promised_delivery.latest) if order.promised_delivery else "",
    }
    last = tracking.last_event if tracking else None
    if last is not None:
        values.update(
            last_scan=_clean(last.description) or last.status.value.replace("_", " "),
            place=last.location.label() if last.location else "",
            ago=ago(last.time, now),
            last_time=moment(last.time, now),
            delivered_on=day_phrase(last.time.astimezone(now.tzinfo).date(), now.date()),
        )
    return values


def parcel_response(status: ShipmentStatus | str, values: dict[str, str]) -> str:
    """The name of the sentence about one parcel that fits what is known of it."""
    placed = status in PLACED_STATUSES and bool(values.get("place"))
    numbered = "parcel_number" in values
    return (
        f"utter_parcel_{status}"
        + ("_at_place" if placed else "")
        + ("_numbered" if numbered else "")
    )


def render_parcel(
    order: Order,
    parcel: ShipmentReport,
    numbering: dict[str, str],
    topic: str | None,
    now: datetime,
) -> list[Reply]:
    """Status, timing and next step of one parcel."""
    values = parcel_values(order, parcel, numbering, now)
    tracking, assessment = parcel.tracking, parcel.assessment
    if tracking is None or assessment is None:
        name = "utter_carrier_no_data" + ("_numbered" if numbering else "")
        return [Reply(name, values)]
    replies: list[Reply] = []
    if parcel.stale_since is not None:
        as_of = moment(parcel.stale_since, now)
        replies.append(Reply("utter_carrier_stale", {**values, "as_of": as_of}))
    scanned = tracking.last_event is not None or tracking.status is ShipmentStatus.UNKNOWN
    status = tracking.status if scanned else NO_SCAN
    replies.append(Reply(parcel_response(status, values), values))
    if tracking.status not in _NOT_MOVING and tracking.status is not ShipmentStatus.EXCEPTION:
        replies += _timing(tracking.estimated_delivery, assessment, values, topic, now)
    replies.append(Reply(f"utter_next_{assessment.next_step.value}", values))
    return replies


def _timing(
    eta: date | None,
    assessment: Assessment,
    values: dict[str, str],
    topic: str | None,
    now: datetime,
) -> list[Reply]:
    replies: list[Reply] = []
    if assessment.late:
        reason = assessment.delay_reason
        name = f"utter_late_{reason.value}" if reason in DELAY_DETAILS else "utter_late"
        replies.append(Reply(name, values))
    elif topic == "delivery_late" and values["promised"]:
        replies.append(Reply("utter_on_time", values))
    if assessment.stuck:
        replies.append(Reply("utter_stuck", values))
    if eta is not None:
        replies.append(Reply("utter_eta", {**values, "eta": day_phrase(eta, now.date())}))
    elif assessment.next_step is not NextStep.WATCH_TODAY:
        replies.append(Reply("utter_eta_unknown", values))
    return replies
