"""Turn an order report into the domain's responses and their variables (pure)."""

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
    OrderStatus.PROCESSING: "order_processing",
    OrderStatus.ON_HOLD: "order_on_hold",
    OrderStatus.BACKORDERED: "order_backordered",
}


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
        return [Reply("order_cancelled", values)]
    if not report.shipments:
        values["backorder_until"] = (
            day_label(order.backorder_until) if order.backorder_until else "soon"
        )
        return [Reply(_WAITING_STATUSES.get(order.status, "order_processing"), values)]
    count = len(report.shipments)
    replies = [
        Reply("order_single" if count == 1 else "order_overview", {**values, "count": str(count)})
    ]
    for index, parcel in enumerate(report.shipments, start=1):
        label = "Your parcel" if count == 1 else f"Parcel {index} of {count}"
        replies += render_parcel(order, parcel, label, topic, now)
    if report.unshipped:
        items = ", ".join(f"{item.quantity} x {item.name}" for item in report.unshipped)
        replies.append(Reply("unshipped_items", {"items": items}))
    replies += _topic_replies(report, topic)
    return replies


def _topic_replies(report: OrderReport, topic: str | None) -> list[Reply]:
    delivered = any(
        p.tracking and p.tracking.status is ShipmentStatus.DELIVERED for p in report.shipments
    )
    if topic == "package_missing" and delivered:
        return [Reply("missing_after_delivery")]
    if topic == "package_damaged":
        return [Reply("damaged")]
    return []


def parcel_values(
    order: Order, parcel: ShipmentReport, label: str, now: datetime
) -> dict[str, str]:
    """Variables about one parcel."""
    shipment, tracking = parcel.shipment, parcel.tracking
    values = {
        "parcel": label,
        "carrier": carrier_name(shipment.carrier),
        "tracking_number": shipment.tracking_number,
        "last_scan": "no scan yet",
        "place": "",
        "ago": "",
        "last_time": "",
        "delivered_on": "",
        "promised": day_label(order.promised_delivery.latest) if order.promised_delivery else "",
    }
    last = tracking.last_event if tracking else None
    if last is not None:
        where = last.location.label() if last.location else ""
        values.update(
            last_scan=_clean(last.description) or last.status.value.replace("_", " "),
            place=f" in {where}" if where else "",
            ago=ago(last.time, now),
            last_time=moment(last.time, now),
            delivered_on=day_phrase(last.time.astimezone(now.tzinfo).date(), now.date()),
        )
    return values


def render_parcel(
    order: Order, parcel: ShipmentReport, label: str, topic: str | None, now: datetime
) -> list[Reply]:
    """Status, timing and next step of one parcel."""
    values = parcel_values(order, parcel, label, now)
    tracking, assessment = parcel.tracking, parcel.assessment
    if tracking is None or assessment is None:
        return [Reply("carrier_no_data", values)]
    replies: list[Reply] = []
    if parcel.stale_since is not None:
        replies.append(Reply("carrier_stale", {**values, "as_of": moment(parcel.stale_since, now)}))
    replies.append(Reply(f"parcel_{tracking.status.value}", values))
    if tracking.status not in _NOT_MOVING and tracking.status is not ShipmentStatus.EXCEPTION:
        replies += _timing(tracking.estimated_delivery, assessment, values, topic, now)
    replies.append(Reply(f"next_{assessment.next_step.value}", values))
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
        name = f"late_{reason.value}" if reason in DELAY_DETAILS else "late"
        replies.append(Reply(name, values))
    elif topic == "delivery_late" and values["promised"]:
        replies.append(Reply("on_time", values))
    if assessment.stuck:
        replies.append(Reply("stuck", values))
    if eta is not None:
        replies.append(Reply("eta", {**values, "eta": day_phrase(eta, now.date())}))
    elif assessment.next_step is not NextStep.WATCH_TODAY:
        replies.append(Reply("eta_unknown", values))
    return replies
