"""The order store on SQLAlchemy: an `OrderRepository` and a `SandboxTrackingSource`.

Lookups return domain objects, never rows, and load an order with its customer, items and
shipments eagerly. Every SQLAlchemy error leaves this module as `StoreUnavailable`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.adapters.db import bulk, mapping
from bot.adapters.db.engine import make_read_engine, make_session_factory, store_error
from bot.adapters.db.models import (
    CustomerRow,
    OrderChangeRow,
    OrderRow,
    SandboxTrackingRow,
    ShipmentRow,
    TrackingSnapshotRow,
)
from bot.domain.claims import Conversation, OrderChangeKind
from bot.domain.identity import OrderIdentity, OrderRef, RefKind
from bot.domain.orders import Address, Order, OrderStatus
from bot.domain.shipments import Tracking

_INSERTS: dict[str, Callable[..., Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


class SqlOrderRepository:
    """Orders, tracking snapshots and sandbox trackings in a SQL database."""

    def __init__(
        self, session_factory: sessionmaker[Session], reads: sessionmaker[Session] | None = None
    ) -> None:
        """Writes use `session_factory`; lookups `reads` (see engine.make_read_engine)."""
        self._sessions = session_factory
        self._reads = reads or session_factory

    @classmethod
    def on(cls, engine: Engine) -> SqlOrderRepository:
        """Writes on `engine`, in transactions; lookups on its read engine."""
        return cls(make_session_factory(engine), make_session_factory(make_read_engine(engine)))

    @property
    def engine(self) -> Engine:
        """The engine writes go through (other stores share its database)."""
        engine: Engine = self._sessions.kw["bind"]
        return engine

    def dispose(self) -> None:
        """Close the pooled connections of its engines."""
        for engine in {self._sessions.kw["bind"], self._reads.kw["bind"]}:
            engine.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on any error."""
        with _store_errors(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def _lookup(self) -> Iterator[Session]:
        """A session for one SELECT: no transaction of its own is begun or committed."""
        with _store_errors(), self._reads() as session:
            yield session

    def get_by_number(self, order_number: str) -> Order | None:
        """The order with this number (trimmed, upper-cased), or None."""
        return self._first(_BY_NUMBER, number=order_number.strip().upper())

    def find_by_email(self, email: str) -> list[Order]:
        """Every order of the customer with this email (case-insensitive), newest first."""
        with self._lookup() as session:
            rows = session.scalars(_BY_EMAIL, {"email": email.strip().lower()}).unique()
            return [mapping.order_of(row) for row in rows]

    def get_by_tracking(self, tracking_number: str) -> Order | None:
        """The (newest) order one of whose shipments has this tracking number, or None."""
        return self._first(_BY_TRACKING, tracking_number=tracking_number.strip())

    def identities(self, ref: OrderRef) -> list[OrderIdentity]:
        """The owner details of the orders a reference points at, newest first: one small query."""
        query = _IDENTITY_BY[ref.kind]
        value = ref.value.strip().lower() if ref.kind is RefKind.EMAIL else ref.value.strip()
        with self._lookup() as session:
            return [OrderIdentity(*row) for row in session.execute(query, {"value": value})]

    def _first(self, query: Select[OrderRow], **params: str) -> Order | None:
        with self._lookup() as session:
            row = session.scalars(query, params).unique().first()
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
        with self._lookup() as session:
            row = session.scalars(query).first()
            return None if row is None else mapping.snapshot_of(row)

    def sandbox_tracking(self, carrier: str, tracking_number: str) -> Tracking | None:
        """The imported history of a parcel, or None when it was never imported."""
        query = select(SandboxTrackingRow).where(
            SandboxTrackingRow.carrier == carrier,
            SandboxTrackingRow.tracking_number == tracking_number,
        )
        with self._lookup() as session:
            row = session.scalars(query).first()
            return None if row is None else mapping.sandbox_of(row)

    def import_batch(self, orders: Iterable[Order], trackings: Iterable[Tracking]) -> None:
        """Upsert orders (by number) and sandbox trackings (by carrier and number) atomically.

        Both may be streams: they are written a chunk at a time, all in one transaction, so an
        error (or an exception raised by the stream itself) anywhere leaves the store as it was.
        """
        with self._transaction() as session:
            inserted = bulk.write_orders(session, orders)
            bulk.write_sandbox(session, trackings)
            if inserted >= bulk.ANALYZE_AFTER:
                bulk.refresh_statistics(session)
        if inserted >= bulk.ANALYZE_AFTER:
            try:
                bulk.vacuum(self._sessions.kw["bind"])
            except SQLAlchemyError as exc:
                raise store_error("the import is stored, but vacuuming failed", exc) from exc

    def cancel(self, order_number: str, now: datetime, by: Conversation) -> Order | None:
        """Mark the order cancelled and note who did it, in one transaction (None: no order)."""
        values = {"status": OrderStatus.CANCELLED}
        return self._change(order_number, OrderChangeKind.CANCEL, now, by, values)

    def change_address(
        self, order_number: str, address: Address, now: datetime, by: Conversation
    ) -> Order | None:
        """Write a new shipping address and note who did it, in one transaction.

        The caller has checked the policy (nothing shipped yet); the store just writes.
        """
        values = {
            "ship_line1": address.line1,
            "ship_line2": address.line2,
            "ship_city": address.city,
            "ship_region": address.region,
            "ship_postal_code": address.postal_code,
            "ship_country": address.country,
        }
        return self._change(order_number, OrderChangeKind.ADDRESS, now, by, values)

    def _change(
        self,
        order_number: str,
        kind: OrderChangeKind,
        now: datetime,
        by: Conversation,
        values: dict[str, Any],
    ) -> Order | None:
        """Update one order's columns and keep an audit row of it; the order as it now is."""
        number = order_number.strip().upper()
        with self._transaction() as session:
            result = session.execute(
                update(OrderRow).where(OrderRow.order_number == number).values(**values)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            session.add(
                OrderChangeRow(
                    order_number=number,
                    kind=kind,
                    at=now,
                    channel=by.channel,
                    conversation=by.digest,
                )
            )
            row = session.scalars(_BY_NUMBER, {"number": number}).unique().one()
            return mapping.order_of(row)


@contextmanager
def _store_errors() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        raise store_error("the order store failed", exc) from exc


# The lookups the bot makes, built once. An order comes with its customer, items and shipments
# in one query: one round trip, and far less ORM work per lookup than a query per collection.
_ORDER = select(OrderRow).options(
    joinedload(OrderRow.customer),
    joinedload(OrderRow.items),
    joinedload(OrderRow.shipments),
)
_BY_NUMBER = _ORDER.where(OrderRow.order_number == bindparam("number"))
_BY_EMAIL = _ORDER.where(
    OrderRow.customer_id
    == select(CustomerRow.id).where(CustomerRow.email == bindparam("email")).scalar_subquery()
).order_by(OrderRow.placed_at.desc(), OrderRow.id.desc())
_BY_TRACKING = (
    _ORDER.where(
        OrderRow.id.in_(
            select(ShipmentRow.order_id).where(
                ShipmentRow.tracking_number == bindparam("tracking_number")
            )
        )
    )
    .order_by(OrderRow.placed_at.desc())
    .limit(1)
)

_IDENTITY = (
    select(OrderRow.order_number, CustomerRow.email, OrderRow.ship_postal_code, CustomerRow.phone)
    .join(CustomerRow, OrderRow.customer_id == CustomerRow.id)
    .order_by(OrderRow.placed_at.desc(), OrderRow.id.desc())
)
_IDENTITY_BY = {
    RefKind.ORDER_NUMBER: _IDENTITY.where(OrderRow.order_number == bindparam("value")),
    RefKind.EMAIL: _IDENTITY.where(CustomerRow.email == bindparam("value")),
    RefKind.TRACKING_NUMBER: _IDENTITY.where(
        OrderRow.id.in_(
            select(ShipmentRow.order_id).where(ShipmentRow.tracking_number == bindparam("value"))
        )
    ).limit(1),
}
