"""Importing orders and tracking histories (the format: docs/import-format.md).

The whole document is checked before anything is written; every problem is reported with its
JSON path (`orders[3].customer.email: not an email address`) in one `ImportInvalid`. A file is
streamed twice, once to check all of it and once to hand its orders to the store, which writes
them in one transaction: a million orders are never in memory together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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

SECTIONS = ("orders", "tracking")
_ORDER_STATUS = f.choice(OrderStatus)
_EVENT_STATUS = f.choice(ShipmentStatus)


class OrderSink(Protocol):
    """Where an import writes: `OrderRepository.import_batch`, taking its orders as a stream."""

    def import_batch(self, orders: Iterable[Order], trackings: Iterable[Tracking]) -> None:
        """Upsert orders (by number) and sandbox trackings (by carrier and number) atomically."""
        ...


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


def import_file(path: str | Path, repository: OrderSink) -> ImportSummary:
    """Check a whole import file, then write all of it in one transaction (or nothing)."""
    orders, trackings = _check_file(path)
    repository.import_batch(_orders_of(path), trackings)
    return ImportSummary(orders=orders, trackings=len(trackings))


def _check_file(path: str | Path) -> tuple[int, list[Tracking]]:
    """How many orders a file has, and its trackings (the sandbox's histories are few)."""
    check, orders, trackings = _Check(), 0, []
    for record in _read(path, check):
        if isinstance(record, Tracking):
            trackings.append(record)
        else:
            orders += 1
    check.raise_problems()
    return orders, trackings  # the check's keys are freed before the second read


def _orders_of(path: str | Path) -> Iterator[Order]:
    """The orders of a checked file, read again; checked again in case the file changed."""
    check = _Check()
    yield from (record for record in _read(path, check) if isinstance(record, Order))
    check.raise_problems()  # raised inside the store's transaction: nothing is written


def load_file(path: str | Path) -> ImportBatch:
    """Read and check an import file, all of it in memory; problems of the file itself at `$`."""
    check = _Check()
    return check.batch(list(_read(path, check)))


def parse_document(document: object) -> ImportBatch:
    """Check a whole import document and build its orders and trackings, or raise ImportInvalid."""
    if not isinstance(document, dict):
        raise _invalid("must be a JSON object")
    check, records = _Check(), list[Order | Tracking | None]()
    for key, value in document.items():
        items = value if isinstance(value, list) else []
        check.add(key, None, f.LIST if isinstance(value, list) else value)
        records.extend(check.add(key, index, item) for index, item in enumerate(items))
    return check.batch(records)


def _read(path: str | Path, check: _Check) -> Iterator[Order | Tracking]:
    """The valid records of a file, streamed; the problems of the others go to `check`."""
    try:
        with Path(path).open("rb") as raw:
            for key, index, value, odd in f.members(raw):
                record = check.add(key, index, value, odd=odd)
                if record is not None:
                    yield record
    except OSError as exc:
        raise _invalid(f"cannot read {path}: {exc.strerror}") from exc
    except f.Bad as bad:
        raise _invalid(str(bad)) from bad


def _invalid(reason: str) -> ImportInvalid:
    return ImportInvalid([ImportProblem("$", reason)])


class _Check:
    """Checks a document's members and records as they come and finds repeated keys."""

    def __init__(self) -> None:
        self.readers = {key: Reader() for key in SECTIONS}
        self.others = Reader()  # members the format does not know: unused, but still checked
        self.repeats = {key: Reader() for key in SECTIONS}
        self.first: dict[str, dict[object, int]] = {key: {} for key in SECTIONS}
        self.present: set[str] = set()
        self.seen: set[object] = set()
        self.repeated: set[object] = set()

    def add(
        self, key: object, index: int | None, value: object, *, odd: bool = True
    ) -> Order | Tracking | None:
        """Check a top-level member (index None) or an item of one; the valid record it makes.

        `odd=False` says the value surely holds nothing `odd_values` finds: it is not searched.
        """
        r = self.readers[key] if key in SECTIONS else self.others
        where = f.join_any("", key)
        if index is None:
            self._member(r, key, where, value, odd)
            return None
        if key in self.repeated:
            return None  # the items of a repeated member: the member is already a problem
        where = f"{where}[{index}]"
        r.report_odd(value if odd else None, where)
        if key not in SECTIONS:
            return None
        assert isinstance(key, str)  # one of SECTIONS
        self._repeated(key, index, value)
        if not isinstance(value, dict):
            if where not in r.reported:
                r.problem(where, "must be an object")
            return None
        return _order(r, value, where) if key == "orders" else _tracking(r, value, where)

    def _member(self, r: Reader, key: object, where: str, value: object, odd: bool) -> None:
        """Check a top-level member; a list's items come after it."""
        if key in self.seen:
            self.repeated.add(key)
            r.problem(where, "appears twice in the document")
            return
        self.seen.add(key)
        bad_key = f.unreadable(key) if isinstance(key, str) else "must be a string"
        if bad_key is not None:
            r.problem(where, f"the key {bad_key}")
        if value is not f.LIST:
            r.report_odd(value if odd else None, where)
        if key in SECTIONS and value is not None:
            self.present.add(key)
            if value is not f.LIST and where not in r.reported:
                r.problem(where, "must be a list")

    def _repeated(self, key: str, index: int, value: object) -> None:
        """Order numbers and parcels are unique, even among records with other problems."""
        field = "order_number" if key == "orders" else "tracking_number"
        number = _raw(value, field)
        carrier = _raw(value, "carrier") if key == "tracking" else ""
        if number is None or carrier is None:
            return
        seen = self.first[key]
        unique = number.upper() if key == "orders" else (carrier, number)
        if unique in seen:
            self.repeats[key].problem(
                f"{key}[{index}].{field}", f"duplicate of {key}[{seen[unique]}]"
            )
        else:
            seen[unique] = index

    def problems(self) -> list[ImportProblem]:
        """Every problem: missing orders, then each section's records, then repeated keys."""
        missing = [] if "orders" in self.present else [ImportProblem("orders", "is required")]
        readers = [*self.readers.values(), self.others, *self.repeats.values()]
        return missing + [problem for reader in readers for problem in reader.problems]

    def raise_problems(self) -> None:
        """Raise ImportInvalid if anything was wrong."""
        problems = self.problems()
        if problems:
            raise ImportInvalid(problems)

    def batch(self, records: Iterable[Order | Tracking | None]) -> ImportBatch:
        """The records of a document that has no problem, or ImportInvalid."""
        kept = list(records)
        self.raise_problems()
        orders = tuple(record for record in kept if isinstance(record, Order))
        return ImportBatch(orders, tuple(record for record in kept if isinstance(record, Tracking)))


def _raw(record: object, key: str) -> str | None:
    """A trimmed string field of a record not yet checked, or None."""
    value = record.get(key) if isinstance(record, dict) else None
    return (value.strip() or None) if isinstance(value, str) else None


def _order(r: Reader, record: Record, path: str) -> Order | None:
    number = r.field(record, "order_number", path, f.text)
    placed_at = r.field(record, "placed_at", path, f.time)
    status = r.field(record, "status", path, _ORDER_STATUS)
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
    status = r.field(record, "status", path, _EVENT_STATUS)
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
