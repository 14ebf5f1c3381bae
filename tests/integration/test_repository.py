"""SqlOrderRepository on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from bot.adapters.db import bulk
from bot.adapters.db.bulk import CHUNK
from bot.adapters.db.engine import make_engine, make_session_factory, migrate
from bot.adapters.db.models import Base
from bot.adapters.db.repository import SqlOrderRepository
from bot.domain.errors import ImportInvalid, ImportProblem, StoreUnavailable
from bot.domain.orders import Order, OrderStatus, Shipment, ShipmentItem
from bot.domain.shipments import ShipmentStatus, StatusDetail, Tracking
from bot.services.importing import ImportBatch, load_file

FIXTURES = Path(__file__).parents[1] / "fixtures"
IMPORTED_TABLES = ["customers", "order_items", "orders", "shipments"]
EST = timezone(timedelta(hours=-5))
PST = timezone(timedelta(hours=-8))


@pytest.fixture
def engine(store_engine: Engine) -> Engine:
    return store_engine


@pytest.fixture
def repository(engine: Engine) -> Iterator[SqlOrderRepository]:
    repository = SqlOrderRepository.on(engine)  # as bootstrap.build_repository does
    yield repository
    repository.dispose()


@pytest.fixture
def batch() -> ImportBatch:
    return load_file(FIXTURES / "orders_small.json")


@pytest.fixture
def imported(repository: SqlOrderRepository, batch: ImportBatch) -> SqlOrderRepository:
    repository.import_batch(batch.orders, batch.trackings)
    return repository


def table_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ids included, in id order."""
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table).order_by("id"))]
            for table in Base.metadata.sorted_tables
        }


def row_count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(Base.metadata.tables[table])
        ).scalar_one()


def test_get_by_number_returns_each_order_as_imported(
    imported: SqlOrderRepository, batch: ImportBatch
) -> None:
    for order in batch.orders:
        assert imported.get_by_number(order.order_number) == order


@pytest.mark.postgres
def test_on_postgresql_lookups_take_no_transaction_and_imports_one(
    pg_url: str, batch: ImportBatch
) -> None:
    """A lookup is its SELECT alone (BEGIN and COMMIT were half its time); writes stay atomic."""
    engine = make_engine(pg_url)
    migrate(engine)
    seen: list[tuple[str, bool]] = []

    def record(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append((statement.split()[0], conn.connection.dbapi_connection.autocommit))

    repository = SqlOrderRepository.on(engine)
    event.listen(Engine, "before_cursor_execute", record)  # every engine, the read one too
    try:
        repository.import_batch(batch.orders, batch.trackings)
        writes, seen[:] = list(seen), []
        assert repository.get_by_number("WM-104233") is not None
        assert repository.find_by_email("jane.doe@example.com")
        assert repository.get_by_tracking("1Z999AA10123456784") is not None
    finally:
        event.remove(Engine, "before_cursor_execute", record)
        repository.dispose()
    assert writes and all(not autocommit for _, autocommit in writes)
    assert seen and all(kind == "SELECT" and autocommit for kind, autocommit in seen)


def test_get_by_number_trims_and_upper_cases_the_number(imported: SqlOrderRepository) -> None:
    found = imported.get_by_number("  wm-104233 ")
    assert found is not None and found.order_number == "WM-104233"


def test_get_by_number_of_an_unknown_order_is_none(imported: SqlOrderRepository) -> None:
    assert imported.get_by_number("WM-999999") is None


def test_find_by_email_is_case_insensitive_and_newest_first(imported: SqlOrderRepository) -> None:
    orders = imported.find_by_email(" JANE.Doe@example.COM")
    assert [order.order_number for order in orders] == ["WM-104240", "WM-104233"]
    assert imported.find_by_email("nobody@example.com") == []


def test_get_by_tracking_finds_the_order_of_each_parcel_of_a_split_shipment(
    imported: SqlOrderRepository,
) -> None:
    for number in ("9400111899223197428490", "794644790132"):
        found = imported.get_by_tracking(number)
        assert found is not None and found.order_number == "WM-104240"
    assert imported.get_by_tracking("1Z000000000000000") is None


def test_times_read_back_aware_with_their_original_offset(imported: SqlOrderRepository) -> None:
    order = imported.get_by_number("WM-104240")
    assert order is not None
    assert order.placed_at == datetime(2026, 11, 18, 9, 30, tzinfo=PST)
    assert order.placed_at.utcoffset() == timedelta(hours=-8)
    shipped_at = order.shipments[1].shipped_at
    assert shipped_at is not None and shipped_at.utcoffset() == timedelta(hours=-8)
    assert shipped_at == datetime(2026, 11, 19, 11, 15, tzinfo=PST)


def test_money_reads_back_as_the_exact_decimal(imported: SqlOrderRepository) -> None:
    order = imported.get_by_number("WM-104260")
    assert order is not None
    prices = [item.unit_price for item in order.items]
    assert prices == [Decimal("24.00"), Decimal("79.95")]
    assert all(isinstance(price, Decimal) for price in prices)
    assert [str(price) for price in prices] == ["24.00", "79.95"]


def test_orders_of_one_email_share_one_customer(
    imported: SqlOrderRepository, engine: Engine
) -> None:
    assert row_count(engine, "customers") == 3


def test_reimporting_the_same_batch_changes_nothing(
    imported: SqlOrderRepository, engine: Engine, batch: ImportBatch
) -> None:
    before = table_rows(engine)
    imported.import_batch(batch.orders, batch.trackings)
    assert table_rows(engine) == before


def test_reimport_with_a_changed_status_updates_the_order(
    imported: SqlOrderRepository, engine: Engine, batch: ImportBatch
) -> None:
    restocked = replace(batch.orders[2], status=OrderStatus.PROCESSING, backorder_until=None)
    imported.import_batch([restocked], [])
    assert imported.get_by_number("WM-104251") == restocked
    assert row_count(engine, "orders") == 4


def test_reimport_replaces_items_and_shipments(
    imported: SqlOrderRepository, engine: Engine, batch: ImportBatch
) -> None:
    partial = batch.orders[3]
    second = Shipment(
        "dhl",
        "JD014600006281239999",
        partial.placed_at,
        None,
        (ShipmentItem("LAMP-H", 1), ShipmentItem("MAT-S", 1)),
    )
    shipped = replace(partial, status=OrderStatus.FULFILLED, shipments=(*partial.shipments, second))
    imported.import_batch([shipped], [])
    assert imported.get_by_number("WM-104260") == shipped
    assert row_count(engine, "shipments") == 5
    assert row_count(engine, "order_items") == 6


def test_save_snapshot_replaces_the_previous_one(
    repository: SqlOrderRepository, engine: Engine, batch: ImportBatch
) -> None:
    first = replace(batch.trackings[0], fetched_at=datetime(2026, 11, 20, 12, 0, tzinfo=EST))
    later = replace(
        first,
        status=ShipmentStatus.DELIVERED,
        detail=StatusDetail.DELIVERED_TO_DOOR,
        fetched_at=first.fetched_at + timedelta(minutes=5),  # type: ignore[operator]
    )
    repository.save_snapshot(first)
    repository.save_snapshot(later)
    kept = repository.last_snapshot("ups", "1Z999AA10123456784")
    assert kept == later
    assert kept is not None and kept.fetched_at is not None and kept.fetched_at.tzinfo is not None
    assert row_count(engine, "tracking_snapshots") == 1


def test_a_snapshot_keeps_an_unknown_detail(repository: SqlOrderRepository) -> None:
    odd = Tracking(
        "ups",
        "1Z1",
        ShipmentStatus.IN_TRANSIT,
        "rerouted_by_drone",
        fetched_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    repository.save_snapshot(odd)
    assert repository.last_snapshot("ups", "1Z1") == odd


def test_last_snapshot_of_an_unknown_parcel_is_none(repository: SqlOrderRepository) -> None:
    assert repository.last_snapshot("ups", "1Z999AA10123456784") is None


def test_sandbox_tracking_returns_the_imported_history(
    imported: SqlOrderRepository, batch: ImportBatch
) -> None:
    for tracking in batch.trackings:
        assert imported.sandbox_tracking(tracking.carrier, tracking.tracking_number) == tracking
    usps = imported.sandbox_tracking("usps", "9400111899223197428490")
    assert usps is not None and usps.detail == "sorted_by_robot"
    assert usps.events[0].time.utcoffset() == timedelta(hours=-8)


def test_sandbox_tracking_is_looked_up_by_carrier_and_number(
    imported: SqlOrderRepository,
) -> None:
    assert imported.sandbox_tracking("fedex", "1Z999AA10123456784") is None


def test_a_batch_failing_midway_writes_nothing(
    imported: SqlOrderRepository, engine: Engine, batch: ImportBatch
) -> None:
    before = table_rows(engine)
    changed = [replace(order, status=OrderStatus.CANCELLED) for order in batch.orders]
    broken = replace(batch.trackings[0], tracking_number="NEW-1", carrier=None)  # NOT NULL
    with pytest.raises(StoreUnavailable):
        imported.import_batch(changed, [batch.trackings[1], broken])
    assert table_rows(engine) == before


def test_a_naive_time_is_refused_as_a_store_error(repository: SqlOrderRepository) -> None:
    naive = Tracking("ups", "1Z2", ShipmentStatus.UNKNOWN, fetched_at=datetime(2026, 11, 20))
    with pytest.raises(StoreUnavailable):
        repository.save_snapshot(naive)


def numbered(order: Order, number: int, email: str | None = None) -> Order:
    """A copy of `order` with another number (and email), and parcels of its own."""
    customer = replace(order.customer, email=email or order.customer.email)
    shipments = tuple(
        replace(shipment, tracking_number=f"{shipment.tracking_number}-{number}")
        for shipment in order.shipments
    )
    return replace(order, order_number=f"WM-{number}", customer=customer, shipments=shipments)


def test_an_import_of_several_chunks_finds_every_order_and_shares_customers(
    repository: SqlOrderRepository, engine: Engine, batch: ImportBatch
) -> None:
    count = CHUNK * 2 + 7
    orders = [
        numbered(batch.orders[i % 4], 500_000 + i, f"shopper{i % 300}@example.com")
        for i in range(count)
    ]
    repository.import_batch(iter(orders), iter(batch.trackings))
    assert row_count(engine, "orders") == count
    assert row_count(engine, "customers") == 300
    for order in orders[:: CHUNK // 4]:
        assert repository.get_by_number(order.order_number) == order
        for shipment in order.shipments:
            assert repository.get_by_tracking(shipment.tracking_number) == order
    mine = repository.find_by_email("shopper3@example.com")
    assert {o.order_number for o in mine} == {o.order_number for o in orders[3::300]}


def test_an_import_stream_failing_midway_writes_nothing(
    imported: SqlOrderRepository, engine: Engine, batch: ImportBatch
) -> None:
    before = table_rows(engine)

    def orders_then_a_problem() -> Iterator[Order]:
        for i in range(CHUNK + 10):
            yield numbered(batch.orders[0], 600_000 + i)
        raise ImportInvalid([ImportProblem("orders[1010].status", "is required")])

    with pytest.raises(ImportInvalid):
        imported.import_batch(orders_then_a_problem(), [])
    assert table_rows(engine) == before


def test_text_with_tabs_newlines_and_backslashes_reads_back_as_imported(
    repository: SqlOrderRepository, batch: ImportBatch
) -> None:
    odd = "Tab\there, new\nline, back\\slash \\N and \u00e9"
    order = batch.orders[1]
    item = replace(order.items[0], name=odd)
    address = replace(order.shipping_address, line2=odd)
    strange = replace(
        order,
        customer=replace(order.customer, name=odd),
        shipping_address=address,
        items=(item, *order.items[1:]),
    )
    repository.import_batch([strange], [])
    assert repository.get_by_number(strange.order_number) == strange


def test_reimport_with_another_email_moves_the_order_to_that_customer(
    imported: SqlOrderRepository, batch: ImportBatch
) -> None:
    moved = replace(batch.orders[0], customer=replace(batch.orders[0].customer, email="new@x.io"))
    imported.import_batch([moved], [])
    assert imported.get_by_number(moved.order_number) == moved
    assert [o.order_number for o in imported.find_by_email("new@x.io")] == [moved.order_number]
    assert moved.order_number not in [
        o.order_number for o in imported.find_by_email(batch.orders[0].customer.email)
    ]


@pytest.mark.postgres
def test_a_large_import_leaves_postgresql_analyzed_and_vacuumed(
    pg_url: str, batch: ImportBatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(pg_url)
    migrate(engine)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    monkeypatch.setattr(bulk, "ANALYZE_AFTER", 3)  # as if these few orders were many
    SqlOrderRepository(make_session_factory(engine)).import_batch(batch.orders, [])
    with engine.connect() as connection:
        analyzed = connection.exec_driver_sql(
            "SELECT relname, last_analyze IS NOT NULL AND last_vacuum IS NOT NULL"
            " FROM pg_stat_user_tables"
            " WHERE relname IN ('orders', 'order_items', 'shipments', 'customers')"
        ).all()
    engine.dispose()
    assert sorted(analyzed) == [(name, True) for name in IMPORTED_TABLES]
