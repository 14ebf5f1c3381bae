"""Writing many orders at once: the import half of `SqlOrderRepository`.

Orders come as a stream and are written a chunk at a time inside the caller's transaction.
New orders, customers, items and shipments go in with bulk INSERTs (a few statements per
chunk, ids matched back by their unique keys); orders already stored are compared and only
changed ones are rewritten, so importing the same orders again writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session, joinedload, selectinload

from bot.adapters.db import mapping, pg_copy
from bot.adapters.db.models import (
    Base,
    CustomerRow,
    OrderItemRow,
    OrderRow,
    SandboxTrackingRow,
    ShipmentRow,
)
from bot.domain.orders import Customer, Order
from bot.domain.shipments import Tracking

T = TypeVar("T")
Row = dict[str, Any]
CHUNK = 1000  # records per round: keeps IN lists, statements and memory small
ANALYZE_AFTER = 10 * CHUNK  # new orders that make an import large enough to re-plan for
IMPORTED_TABLES = "customers, orders, order_items, shipments"


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Consecutive lists of `size` values (the last may be shorter)."""
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def write_orders(session: Session, orders: Iterable[Order]) -> int:
    """Upsert orders by number, a chunk at a time (forgotten after it); how many were new."""
    inserted = 0
    for chunk in chunks(orders):
        inserted += _upsert_orders(session, chunk)
        _release(session)
    return inserted


def refresh_statistics(session: Session) -> None:
    """Let PostgreSQL's planner know the tables' new sizes now, not at autovacuum's next round.

    Right after a large import its estimates are still those of the small tables: lookups
    then scan whole tables and JIT-compile their plans (25 ms instead of 0.2 ms at 100,000
    orders) until the tables are analyzed. ANALYZE runs in the import's transaction, so it
    sees the new rows. SQLite's planner picks the indexes without statistics.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {IMPORTED_TABLES}"))


def vacuum(engine: Engine) -> None:
    """Leave PostgreSQL's freshly imported tables as autovacuum would, before shoppers ask.

    Until a table is vacuumed, the first reads of new rows write hint bits and autovacuum
    later rescans the whole table while lookups run: the order store benchmark saw lookups
    at 1,000,000 orders reach p99 5-6 ms right after an import, about 3 ms after a vacuum.
    VACUUM cannot run in a transaction, so this runs on its own connection after the
    import committed (about a second at 1,000,000 orders).
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                f"VACUUM (ANALYZE) {IMPORTED_TABLES}"
            )


def write_sandbox(session: Session, trackings: Iterable[Tracking]) -> None:
    """Upsert sandbox trackings by carrier and number, a chunk at a time."""
    for chunk in chunks(trackings):
        _upsert_sandbox(session, chunk)
        _release(session)


def _release(session: Session) -> None:
    """Write what is pending and forget the rows, so a large import keeps little in memory."""
    session.flush()
    session.expunge_all()


def _upsert_orders(session: Session, orders: Sequence[Order]) -> int:
    """Insert new orders in bulk, update changed ones (unchanged ones cause no write); new ones."""
    latest = {order.order_number: order for order in orders}  # the last of twins wins
    customer_ids = _upsert_customers(session.connection(), [o.customer for o in latest.values()])
    query = (
        select(OrderRow)
        .where(OrderRow.order_number.in_(list(latest)))
        .options(
            joinedload(OrderRow.customer),
            selectinload(OrderRow.items),
            selectinload(OrderRow.shipments),
        )
    )
    stored = {row.order_number: row for row in session.scalars(query)}
    for number, row in stored.items():
        order = latest[number]
        if mapping.order_of(row) != order:
            customer = session.get_one(CustomerRow, customer_ids[order.customer.email.lower()])
            mapping.apply_order(row, order, customer)
    fresh = [order for number, order in latest.items() if number not in stored]
    if fresh:
        _insert_orders(session.connection(), fresh, customer_ids)
    return len(fresh)


def _insert_orders(
    connection: Connection, orders: Sequence[Order], customer_ids: dict[str, int]
) -> None:
    """Insert orders with their items and shipments: a few statements, whatever their number."""
    values = [
        {**mapping.order_values(order), "customer_id": customer_ids[order.customer.email.lower()]}
        for order in orders
    ]
    ids = _insert_with_ids(connection, _table(OrderRow), "order_number", values)
    items = [
        {"order_id": ids[order.order_number], **mapping.item_values(position, item)}
        for order in orders
        for position, item in enumerate(order.items)
    ]
    shipments = [
        {"order_id": ids[order.order_number], **mapping.shipment_values(position, shipment)}
        for order in orders
        for position, shipment in enumerate(order.shipments)
    ]
    _insert(connection, _table(OrderItemRow), items)
    _insert(connection, _table(ShipmentRow), shipments)


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _insert_with_ids(
    connection: Connection, table: Table, key: str, rows: list[Row]
) -> dict[Any, int]:
    """Insert rows; their new ids by the value of their unique column `key`."""
    if not rows:
        return {}
    if pg_copy.is_postgresql(connection):
        ids = pg_copy.next_ids(connection, table, len(rows))
        rows = [{"id": new_id, **row} for new_id, row in zip(ids, rows, strict=True)]
        pg_copy.copy_rows(connection, table, rows)
        return {row[key]: row["id"] for row in rows}
    returning = insert(table).returning(table.c[key], table.c.id)
    return dict(connection.execute(returning, rows).all())


def _insert(connection: Connection, table: Table, rows: list[Row]) -> None:
    """Insert rows in bulk: COPY on PostgreSQL, an executemany elsewhere."""
    if not rows:
        return
    if pg_copy.is_postgresql(connection):
        pg_copy.copy_rows(connection, table, rows)
    else:
        connection.execute(insert(table), rows)


def _upsert_customers(connection: Connection, customers: Sequence[Customer]) -> dict[str, int]:
    """The customer ids of these customers by email; the last one's name and phone win."""
    latest = {customer.email.lower(): customer for customer in customers}
    query = select(CustomerRow.email, CustomerRow.id, CustomerRow.name, CustomerRow.phone).where(
        CustomerRow.email.in_(list(latest))
    )
    ids, changed = {}, []
    for email, customer_id, name, phone in connection.execute(query):
        ids[email] = customer_id
        customer = latest[email]
        if (name, phone) != (customer.name, customer.phone):
            changed.append({"b_id": customer_id, "name": customer.name, "phone": customer.phone})
    if changed:
        by_id = update(CustomerRow).where(CustomerRow.id == bindparam("b_id"))
        connection.execute(by_id.values(name=bindparam("name"), phone=bindparam("phone")), changed)
    fresh = [
        {"email": email, "name": customer.name, "phone": customer.phone}
        for email, customer in latest.items()
        if email not in ids
    ]
    ids.update(_insert_with_ids(connection, _table(CustomerRow), "email", fresh))
    return ids


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
