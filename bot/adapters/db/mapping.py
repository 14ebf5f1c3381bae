"""Between rows and domain objects: rows never leave the adapter, domain objects do.

Times are stored as UTC plus the original UTC offset in seconds, so an order placed at
14:03-05:00 reads back as 14:03-05:00. Event times live in JSON as ISO 8601 with their offset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from bot.adapters.db.models import (
    CustomerRow,
    EventJson,
    LocationJson,
    OrderItemRow,
    OrderRow,
    SandboxTrackingRow,
    ShipmentItemJson,
    ShipmentRow,
    TrackingSnapshotRow,
)
from bot.domain.orders import (
    Address,
    Customer,
    DeliveryWindow,
    Item,
    Order,
    Shipment,
    ShipmentItem,
)
from bot.domain.shipments import (
    Location,
    ShipmentStatus,
    StatusDetail,
    Tracking,
    TrackingEvent,
    parse_detail,
)


def offset_of(moment: datetime) -> int:
    """The UTC offset of an aware datetime, in seconds."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"naive datetime refused by the order store: {moment!r}")
    return int(offset.total_seconds())


def with_offset(moment: datetime, offset: int | None) -> datetime:
    """A stored UTC time shown again at its original offset."""
    return moment.astimezone(UTC if not offset else timezone(timedelta(seconds=offset)))


def order_of(row: OrderRow) -> Order:
    """The domain order of a row loaded with its customer, items and shipments."""
    customer = row.customer
    window = None
    if row.promised_earliest is not None and row.promised_latest is not None:
        window = DeliveryWindow(row.promised_earliest, row.promised_latest)
    return Order(
        order_number=row.order_number,
        placed_at=with_offset(row.placed_at, row.placed_at_offset),
        status=row.status,
        customer=Customer(customer.name, customer.email, customer.phone),
        shipping_address=Address(
            line1=row.ship_line1,
            line2=row.ship_line2,
            city=row.ship_city,
            region=row.ship_region,
            postal_code=row.ship_postal_code,
            country=row.ship_country,
        ),
        items=items_of(row),
        shipments=shipments_of(row),
        promised_delivery=window,
        backorder_until=row.backorder_until,
    )


def items_of(row: OrderRow) -> tuple[Item, ...]:
    """The order's items, in their original order."""
    return tuple(
        Item(item.sku, item.name, item.quantity, item.unit_price, item.currency)
        for item in row.items
    )


def shipments_of(row: OrderRow) -> tuple[Shipment, ...]:
    """The order's shipments, in their original order."""
    return tuple(
        Shipment(
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            shipped_at=None
            if shipment.shipped_at is None
            else with_offset(shipment.shipped_at, shipment.shipped_at_offset),
            service=shipment.service,
            items=tuple(ShipmentItem(part["sku"], part["quantity"]) for part in shipment.items),
        )
        for shipment in row.shipments
    )


def order_values(order: Order) -> dict[str, Any]:
    """The column values of an order row, but its customer."""
    address, window = order.shipping_address, order.promised_delivery
    return {
        "order_number": order.order_number,
        "status": order.status,
        "placed_at": order.placed_at,
        "placed_at_offset": offset_of(order.placed_at),
        "ship_line1": address.line1,
        "ship_line2": address.line2,
        "ship_city": address.city,
        "ship_region": address.region,
        "ship_postal_code": address.postal_code,
        "ship_country": address.country,
        "promised_earliest": window.earliest if window else None,
        "promised_latest": window.latest if window else None,
        "backorder_until": order.backorder_until,
    }


def item_values(position: int, item: Item) -> dict[str, Any]:
    """The column values of an item row, but its order."""
    return {
        "position": position,
        "sku": item.sku,
        "name": item.name,
        "quantity": item.quantity,
        "unit_price": item.unit_price,
        "currency": item.currency,
    }


def shipment_values(position: int, shipment: Shipment) -> dict[str, Any]:
    """The column values of a shipment row, but its order."""
    parts: list[ShipmentItemJson] = [
        {"sku": part.sku, "quantity": part.quantity} for part in shipment.items
    ]
    shipped_at = shipment.shipped_at
    return {
        "position": position,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "service": shipment.service,
        "shipped_at": shipped_at,
        "shipped_at_offset": None if shipped_at is None else offset_of(shipped_at),
        "items": parts,
    }


def apply_order(row: OrderRow, order: Order, customer: CustomerRow) -> None:
    """Make an order row say what `order` says; unchanged children are kept as they are."""
    for name, value in order_values(order).items():
        setattr(row, name, value)
    row.customer = customer
    if items_of(row) != order.items:
        row.items = [OrderItemRow(**item_values(p, item)) for p, item in enumerate(order.items)]
    if shipments_of(row) != order.shipments:
        row.shipments = [
            ShipmentRow(**shipment_values(p, s)) for p, s in enumerate(order.shipments)
        ]


def detail_value(detail: StatusDetail | str | None) -> str | None:
    """A detail as stored: the enum's value, or the unknown detail as given."""
    return detail.value if isinstance(detail, StatusDetail) else detail


def events_json(events: tuple[TrackingEvent, ...]) -> list[EventJson]:
    """Events as stored in a JSON column."""
    return [
        {
            "time": event.time.isoformat(),
            "status": event.status.value,
            "detail": detail_value(event.detail),
            "description": event.description,
            "location": _location_json(event.location),
        }
        for event in events
    ]


def _location_json(location: Location | None) -> LocationJson | None:
    if location is None:
        return None
    return {
        "city": location.city,
        "region": location.region,
        "postal_code": location.postal_code,
        "country": location.country,
    }


def events_of(data: list[EventJson]) -> tuple[TrackingEvent, ...]:
    """Events read back from a JSON column."""
    return tuple(
        TrackingEvent(
            time=datetime.fromisoformat(event["time"]),
            status=ShipmentStatus(event["status"]),
            detail=parse_detail(event["detail"]),
            description=event["description"],
            location=None if event["location"] is None else Location(**event["location"]),
        )
        for event in data
    )


def snapshot_values(tracking: Tracking) -> dict[str, Any]:
    """The column values of a tracking snapshot row."""
    return {
        "carrier": tracking.carrier,
        "tracking_number": tracking.tracking_number,
        "status": tracking.status,
        "detail": detail_value(tracking.detail),
        "estimated_delivery": tracking.estimated_delivery,
        "events": events_json(tracking.events),
        "fetched_at": tracking.fetched_at,
    }


def snapshot_of(row: TrackingSnapshotRow) -> Tracking:
    """The tracking a snapshot row keeps (event times keep their offsets; fetched_at is UTC)."""
    return Tracking(
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        status=row.status,
        detail=parse_detail(row.detail),
        estimated_delivery=row.estimated_delivery,
        events=events_of(row.events),
        fetched_at=row.fetched_at,
    )


def sandbox_of(row: SandboxTrackingRow) -> Tracking:
    """An imported history; its status and detail are those of its last event."""
    events = events_of(row.events)
    last = events[-1] if events else None
    return Tracking(
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        status=last.status if last else ShipmentStatus.UNKNOWN,
        detail=last.detail if last else None,
        estimated_delivery=row.estimated_delivery,
        events=events,
    )


def apply_sandbox(row: SandboxTrackingRow, tracking: Tracking) -> None:
    """Make a sandbox row say what `tracking` says; unchanged values cause no write."""
    row.estimated_delivery = tracking.estimated_delivery
    events = events_json(tracking.events)
    if row.events != events:
        row.events = events
