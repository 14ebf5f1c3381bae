"""The order store on SQLAlchemy: an `OrderRepository` and a `SandboxTrackingSource`.

Lookups return domain objects, never rows, and load an order with its customer, items and
shipments eagerly. Every SQLAlchemy error leaves this module as `StoreUnavailable`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Select, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from bot.adapters.db import mapping
from bot.adapters.db.engine import store_error
from bot.adapters.db.models import (
    CustomerRow,
    OrderItemRow,
    OrderRow,
    SandboxTrackingRow,
    ShipmentRow,
    TrackingSnapshotRow,
)
from bot.domain.orders import Order
from bot.domain.shipments import Tracking

T = TypeVar("T")
CHUNK = 1000  # rows looked up per query while importing; keeps IN lists and memory small
_INSERTS: dict[str, Callable[..., Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


class SqlOrderRepository:
    """Orders, tracking snapshots and sandbox trackings in a SQL database."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on any error."""
        try:
            with self._sessions.begin() as session:
                yield session
        except SQLAlchemyError as exc:
            raise store_error("the order store failed", exc) from exc

    def get_by_number(self, order_number: str) -> Order | None:
        """The order with this number (trimmed, upper-cased), or None."""
        number = order_number.strip().upper()
        return self._first(_orders().where(OrderRow.order_number == number))

    def find_by_email(self, email: str) -> list[Order]:
        """Every order of the customer with this email (case-insensitive), newest first."""
        customer = select(CustomerRow.id).where(CustomerRow.email == email.strip().lower())
        query = (
            _orders()
            .where(OrderRow.customer_id == customer.scalar_subquery())
            .order_by(OrderRow.placed_at.desc(), OrderRow.id.desc())
        )
        with self._transaction() as session:
            return [mapping.order_of(row) for row in session.scalars(query)]

    def get_by_tracking(self, tracking_number: str) -> Order | None:
        """The (newest) order one of whose shipments has this tracking number, or None."""
        shipped = select(ShipmentRow.order_id).where(
            ShipmentRow.tracking_number == tracking_number.strip()
        )
        query = _orders().where(OrderRow.id.in_(shipped)).order_by(OrderRow.placed_at.desc())
        return self._first(query.limit(1))

    def _first(self, query: Select[OrderRow]) -> Order | None:
        with self._transaction() as session:
            row = session.scalars(query).first()
            return None if row is None else mapping.order_of(row)

    def save_snapshot(self, tracking: Tracking) -> None:
        """Keep the latest tracking answer of a parcel, replacing the previous one."""
        values = mapping.snapshot_values(tracking)
        with self._transaction() as session:
            insert = _INSERTS[session.get_bind().dialect.name](TrackingSnapshotRow).values(values)
            keys = ("carrier", "tracking_number")
            changes = {name: insert.excluded[name] for name in values if name not in keys}
            session.execute(insert.on_conflict_do_update(index_elements=keys, set_=changes))

    def last_snapshot(self, carrier: str, tracking_number: str) -> Tracking | None:
        """The last tracking answer kept for a parcel, with its `fetched_at`."""
        query = select(TrackingSnapshotRow).where(
            TrackingSnapshotRow.carrier == carrier,
            TrackingSnapshotRow.tracking_number == tracking_number,
        )
        with self._transaction() as session:
            row = session.scalars(query).first()
            return None if row is None else mapping.snapshot_of(row)

    def sandbox_tracking(self, carrier: str, tracking_number: str) -> Tracking | None:
        """The imported history of a parcel, or None when it was never imported."""
        query = select(SandboxTrackingRow).where(
            SandboxTrackingRow.carrier == carrier,
            SandboxTrackingRow.tracking_number == tracking_number,
        )
        with self._transaction() as session:
            row = session.scalars(query).first()
            return None if row is None else mapping.sandbox_of(row)

    def import_batch(self, orders: Sequence[Order], trackings: Sequence[Tracking]) -> None:
        """Upsert orders (by number) and sandbox trackings (by carrier and number) atomically."""
        with self._transaction() as session:
            for chunk in _chunks(orders):
                _upsert_orders(session, chunk)
                _release(session)
            for tracking_chunk in _chunks(trackings):
                _upsert_sandbox(session, tracking_chunk)
                _release(session)


def _orders() -> Select[OrderRow]:
    """Orders with their customer, items and shipments loaded eagerly."""
    return select(OrderRow).options(
        joinedload(OrderRow.customer),
        selectinload(OrderRow.items),
        selectinload(OrderRow.shipments),
    )


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _release(session: Session) -> None:
    """Write what is pending and forget the rows, so a large import keeps little in memory."""
    session.flush()
    session.expunge_all()


def _upsert_orders(session: Session, orders: Sequence[Order]) -> None:
    """Insert new orders in bulk, update changed ones; unchanged ones cause no write."""
    latest = {order.order_number: order for order in orders}  # the last of twins wins
    customers = _upsert_customers(session, list(latest.values()))
    query = _orders().where(OrderRow.order_number.in_(list(latest)))
    rows = {row.order_number: row for row in session.scalars(query)}
    for number, row in rows.items():
        order = latest[number]
        if mapping.order_of(row) != order:
            mapping.apply_order(row, order, customers[order.customer.email.lower()])
    fresh = [order for number, order in latest.items() if number not in rows]
    if fresh:
        _insert_orders(session, fresh, customers)


def _insert_orders(
    session: Session, orders: Sequence[Order], customers: dict[str, CustomerRow]
) -> None:
    """Insert orders with their items and shipments: three statements, whatever their number."""
    values = [
        {**mapping.order_values(order), "customer_id": customers[order.customer.email.lower()].id}
        for order in orders
    ]
    returning = insert(OrderRow).returning(OrderRow.id, sort_by_parameter_order=True)
    ids = session.scalars(returning, values).all()
    items = [
        {"order_id": order_id, **mapping.item_values(position, item)}
        for order_id, order in zip(ids, orders, strict=True)
        for position, item in enumerate(order.items)
    ]
    shipments = [
        {"order_id": order_id, **mapping.shipment_values(position, shipment)}
        for order_id, order in zip(ids, orders, strict=True)
        for position, shipment in enumerate(order.shipments)
    ]
    if items:
        session.execute(insert(OrderItemRow), items)
    if shipments:
        session.execute(insert(ShipmentRow), shipments)


def _upsert_customers(session: Session, orders: Sequence[Order]) -> dict[str, CustomerRow]:
    """The customer rows of these orders by email, with ids; the last order's name and phone win."""
    latest = {order.customer.email.lower(): order.customer for order in orders}
    query = select(CustomerRow).where(CustomerRow.email.in_(list(latest)))
    rows = {row.email: row for row in session.scalars(query)}
    for email, customer in latest.items():
        row = rows.get(email)
        if row is None:
            row = rows[email] = CustomerRow(email=email)
            session.add(row)
        if (row.name, row.phone) != (customer.name, customer.phone):
            row.name, row.phone = customer.name, customer.phone
    session.flush()
    return rows


def _upsert_sandbox(session: Session, trackings: Sequence[Tracking]) -> None:
    """Insert new sandbox trackings, update changed ones."""
    numbers = [tracking.tracking_number for tracking in trackings]
    query = select(SandboxTrackingRow).where(SandboxTrackingRow.tracking_number.in_(numbers))
    rows = {(row.carrier, row.tracking_number): row for row in session.scalars(query)}
    for tracking in trackings:
        key = (tracking.carrier, tracking.tracking_number)
        row = rows.get(key)
        if row is None:
            row = rows[key] = SandboxTrackingRow(carrier=key[0], tracking_number=key[1])
            session.add(row)
        mapping.apply_sandbox(row, tracking)
