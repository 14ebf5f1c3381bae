"""Importing orders and tracking histories (shared/contracts/orders-import.md).

The whole document is checked before anything is built or written; every problem is reported
with its JSON path (`orders[3].customer.email: not an email address`) in one `ImportInvalid`.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.domain.errors import ImportInvalid, ImportProblem
from bot.domain.orders import (
    Address,
    Customer,
    DeliveryWindow,
    Item,
    Order,
    OrderStatus,
    Shipment,
    ShipmentItem,
)
from bot.domain.shipments import Location, ShipmentStatus, Tracking, TrackingEvent, parse_detail
from bot.services import import_fields as f
from bot.services.import_fields import Reader, Record
from bot.services.ports import OrderRepository


@dataclass(frozen=True)
class ImportBatch:
    """The orders and sandbox tracking histories of one import document."""

    orders: tuple[Order, ...]
    trackings: tuple[Tracking, ...]


@dataclass(frozen=True)
class ImportSummary:
    """How many orders and trackings an import wrote."""

    orders: int
    trackings: int


def import_file(path: str | Path, repository: OrderRepository) -> ImportSummary:
    """Check an import file, then write all of it in one transaction (or nothing)."""
    batch = load_file(path)
    repository.import_batch(batch.orders, batch.trackings)
    return ImportSummary(orders=len(batch.orders), trackings=len(batch.trackings))


def load_file(path: str | Path) -> ImportBatch:
    """Read and check an import file; unreadable files and bad JSON are problems at `$`."""
    try:
        content = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise _invalid(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise _invalid(f"not UTF-8 text (byte {exc.start})") from exc
    try:
        document = json.loads(content)
    except json.JSONDecodeError as exc:
        raise _invalid(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    return parse_document(document)


def _invalid(reason: str) -> ImportInvalid:
    return ImportInvalid([ImportProblem("$", reason)])


def parse_document(document: object) -> ImportBatch:
    """Check a whole import document and build its orders and trackings, or raise ImportInvalid."""
    if not isinstance(document, dict):
        raise _invalid("must be a JSON object")
    r = Reader()
    orders = r.each(document, "orders", "", _order, required=True)
    trackings = r.each(document, "tracking", "", _tracking)
    _check_duplicates(r, document)
    if r.problems:
        raise ImportInvalid(r.problems)
    return ImportBatch(f.complete(orders) or (), f.complete(trackings) or ())


def _check_duplicates(r: Reader, document: Record) -> None:
    """Order numbers and parcels are unique, even among records with other problems."""
    numbers = [_raw(raw, "order_number") for raw in _list(document, "orders")]
    _unique(r, "orders", "order_number", [n.upper() if n else None for n in numbers])
    parcels = [
        (_raw(raw, "carrier"), _raw(raw, "tracking_number")) for raw in _list(document, "tracking")
    ]
    _unique(r, "tracking", "tracking_number", [p if all(p) else None for p in parcels])


def _list(document: Record, key: str) -> list[object]:
    value = document.get(key)
    return value if isinstance(value, list) else []


def _raw(record: object, key: str) -> str | None:
    """A trimmed string field of a record not yet checked, or None."""
    value = record.get(key) if isinstance(record, dict) else None
    return (value.strip() or None) if isinstance(value, str) else None


def _unique(r: Reader, where: str, field: str, keys: Sequence[Hashable | None]) -> None:
    """Report each repeated key (even of an invalid record) with where it first appeared."""
    first: dict[Hashable, int] = {}
    for index, key in enumerate(keys):
        if key is None:
            continue
        if key in first:
            r.problem(f"{where}[{index}].{field}", f"duplicate of {where}[{first[key]}]")
        else:
            first[key] = index


def _order(r: Reader, record: Record, path: str) -> Order | None:
    number = r.field(record, "order_number", path, f.text)
    placed_at = r.field(record, "placed_at", path, f.time)
    status = r.field(record, "status", path, f.choice(OrderStatus))
    customer = r.nested(record, "customer", path, _customer)
    address = r.nested(record, "shipping_address", path, _address)
    items = r.each(record, "items", path, _item)
    window = r.nested(record, "promised_delivery", path, _window, required=False)
    backorder_until = r.field(record, "backorder_until", path, f.day, required=False)
    shipments = r.each(record, "shipments", path, _shipment)
    _check_items(r, items, shipments, path)
    all_items, all_shipments = f.complete(items), f.complete(shipments)
    if (
        number is None
        or placed_at is None
        or status is None
        or customer is None
        or address is None
        or all_items is None
        or all_shipments is None
    ):
        return None
    return Order(
        number.upper(),
        placed_at,
        status,
        customer,
        address,
        all_items,
        all_shipments,
        window,
        backorder_until,
    )


def _customer(r: Reader, record: Record, path: str) -> Customer | None:
    email = r.field(record, "email", path, f.email)
    name = r.field(record, "name", path, f.text, required=False)
    phone = r.field(record, "phone", path, f.phone, required=False)
    return None if email is None else Customer(name or "", email.lower(), phone)


def _address(r: Reader, record: Record, path: str) -> Address | None:
    line1 = r.field(record, "line1", path, f.text)
    line2 = r.field(record, "line2", path, f.text, required=False)
    city = r.field(record, "city", path, f.text)
    region = r.field(record, "region", path, f.text, required=False)
    postal_code = r.field(record, "postal_code", path, f.text)
    country = r.field(record, "country", path, f.country)
    if line1 is None or city is None or postal_code is None or country is None:
        return None
    return Address(line1, city, postal_code, country, line2, region)


def _item(r: Reader, record: Record, path: str) -> Item | None:
    sku = r.field(record, "sku", path, f.text)
    name = r.field(record, "name", path, f.text)
    quantity = r.field(record, "quantity", path, f.quantity)
    unit_price = r.field(record, "unit_price", path, f.money)
    currency = r.field(record, "currency", path, f.currency)
    if sku is None or name is None or quantity is None or unit_price is None or currency is None:
        return None
    return Item(sku, name, quantity, unit_price, currency)


def _window(r: Reader, record: Record, path: str) -> DeliveryWindow | None:
    earliest = r.field(record, "earliest", path, f.day)
    latest = r.field(record, "latest", path, f.day)
    if earliest is None or latest is None:
        return None
    if latest < earliest:
        r.problem(f"{path}.latest", "is before earliest")
    return DeliveryWindow(earliest, latest)


def _shipment(r: Reader, record: Record, path: str) -> Shipment | None:
    carrier = r.field(record, "carrier", path, f.carrier)
    tracking_number = r.field(record, "tracking_number", path, f.text)
    service = r.field(record, "service", path, f.text, required=False)
    shipped_at = r.field(record, "shipped_at", path, f.time, required=False)
    items = f.complete(r.each(record, "items", path, _shipment_item))
    if carrier is None or tracking_number is None or items is None:
        return None
    return Shipment(carrier, tracking_number, shipped_at, service, items)


def _shipment_item(r: Reader, record: Record, path: str) -> ShipmentItem | None:
    sku = r.field(record, "sku", path, f.text)
    quantity = r.field(record, "quantity", path, f.quantity)
    return None if sku is None or quantity is None else ShipmentItem(sku, quantity)


def _check_items(
    r: Reader, items: list[Item | None] | None, shipments: list[Shipment | None] | None, path: str
) -> None:
    """Skus are unique within an order; parcels carry only what was ordered."""
    if items is None or shipments is None:
        return
    ordered: dict[str, int] = {}
    for index, item in enumerate(items):
        if item is not None and item.sku in ordered:
            r.problem(f"{path}.items[{index}].sku", "appears twice in this order")
        elif item is not None:
            ordered[item.sku] = item.quantity
    if any(item is None for item in items):
        return  # an item we could not read may be the one a parcel carries
    shipped: dict[str, int] = {}
    for s_index, shipment in enumerate(shipments):
        for i_index, part in enumerate(shipment.items if shipment else ()):
            where = f"{path}.shipments[{s_index}].items[{i_index}]"
            if part.sku not in ordered:
                r.problem(f"{where}.sku", "not an item of this order")
                continue
            shipped[part.sku] = shipped.get(part.sku, 0) + part.quantity
            if shipped[part.sku] > ordered[part.sku]:
                r.problem(f"{where}.quantity", f"ships more than the {ordered[part.sku]} ordered")


def _tracking(r: Reader, record: Record, path: str) -> Tracking | None:
    carrier = r.field(record, "carrier", path, f.carrier)
    number = r.field(record, "tracking_number", path, f.text)
    estimated = r.field(record, "estimated_delivery", path, f.day, required=False)
    events = r.each(record, "events", path, _event, required=True)
    _check_time_order(r, events, path)
    all_events = f.complete(events)
    if carrier is None or number is None or all_events is None:
        return None
    last = all_events[-1] if all_events else None
    status = last.status if last else ShipmentStatus.UNKNOWN
    return Tracking(carrier, number, status, last.detail if last else None, estimated, all_events)


def _check_time_order(r: Reader, events: list[TrackingEvent | None] | None, path: str) -> None:
    """Each event is no earlier than the one before it."""
    previous: TrackingEvent | None = None
    for index, event in enumerate(events or ()):
        if event is None:
            continue
        if previous is not None and event.time < previous.time:
            r.problem(f"{path}.events[{index}].time", "events are not in time order")
        previous = event


def _event(r: Reader, record: Record, path: str) -> TrackingEvent | None:
    time = r.field(record, "time", path, f.time)
    status = r.field(record, "status", path, f.choice(ShipmentStatus))
    detail = r.field(record, "detail", path, f.text, required=False)
    description = r.field(record, "description", path, f.string, required=False)
    location = r.nested(record, "location", path, _location, required=False)
    if time is None or status is None:
        return None
    return TrackingEvent(time, status, parse_detail(detail), description or "", location)


def _location(r: Reader, record: Record, path: str) -> Location:
    return Location(
        city=r.field(record, "city", path, f.text, required=False),
        region=r.field(record, "region", path, f.text, required=False),
        postal_code=r.field(record, "postal_code", path, f.text, required=False),
        country=r.field(record, "country", path, f.text, required=False),
    )
