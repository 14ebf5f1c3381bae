"""The store benchmark on a few hundred orders: what it reports, and that its data is sound."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url

from bench import store
from bench.orders import order_documents, write_orders
from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.repository import SqlOrderRepository
from bot.services.importing import load_file

ORDERS = 500
SEED = 3


def run(tmp_path: Path, *backend: str) -> dict:
    out = tmp_path / "store.json"
    status = store.main(
        ["--orders", str(ORDERS), "--seed", str(SEED), "--lookups", "100", "--missing", "5"]
        + ["--data", str(tmp_path), "--out", str(out), "--keep", "--quiet", *backend]
    )
    assert status == 0
    return json.loads(out.read_text())


def assert_reported(report: dict, backend: str) -> None:
    assert report["orders"] == ORDERS
    assert report["data_file"]["bytes"] > 0
    assert report["data_file"]["generator_seconds"] > 0
    figures = report["backends"][backend]
    assert figures["import_seconds"] > 0
    assert figures["orders_per_second"] > 0
    assert figures["import_peak_rss_mib"] > 0
    assert figures["db_bytes"] > 0
    assert figures["wrong_answers"] == 0
    assert set(figures["lookups"]) == {"order_number", "email", "tracking_number"}
    for kind in figures["lookups"].values():
        assert kind["lookups"] >= 100
        assert kind["missing"] == 5
        assert 0 < kind["p50_ms"] <= kind["p99_ms"] <= kind["max_ms"]


def assert_every_order_is_found(url: str) -> None:
    engine = make_engine(url)
    try:
        repository = SqlOrderRepository(make_session_factory(engine))
        for order in order_documents(ORDERS, SEED):
            number = order["order_number"]
            found = repository.get_by_number(number)
            assert found is not None and found.order_number == number
            by_email = repository.find_by_email(order["customer"]["email"])
            assert number in [o.order_number for o in by_email]
            for shipment in order["shipments"]:
                parcel = repository.get_by_tracking(shipment["tracking_number"])
                assert parcel is not None and parcel.order_number == number
    finally:
        engine.dispose()


def test_generating_twice_with_the_same_seed_gives_the_same_valid_file(tmp_path: Path) -> None:
    first, second, other = (tmp_path / name for name in ("a.json", "b.json", "c.json"))
    write_orders(first, ORDERS, SEED, progress=False)
    write_orders(second, ORDERS, SEED, progress=False)
    write_orders(other, ORDERS, SEED + 1, progress=False)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    orders = load_file(first).orders
    assert len(orders) == ORDERS
    numbers = [s.tracking_number for o in orders for s in o.shipments]
    assert len(numbers) == len(set(numbers)) > ORDERS / 2
    emails = {o.customer.email for o in orders}
    assert len(emails) < ORDERS / 2  # customers have several orders each


def test_a_run_on_sqlite_reports_every_lookup_kind_and_finds_every_order(tmp_path: Path) -> None:
    database = tmp_path / "store.db"
    report = run(tmp_path, "--sqlite", str(database))
    assert list(report["backends"]) == ["sqlite"]
    assert_reported(report, "sqlite")
    assert_every_order_is_found(f"sqlite:///{database}")


def test_a_second_run_reuses_the_data_file(tmp_path: Path) -> None:
    run(tmp_path, "--sqlite", str(tmp_path / "one.db"))
    again = run(tmp_path, "--sqlite", str(tmp_path / "two.db"))
    assert again["data_file"]["reused"] is True


@pytest.fixture
def bench_pg_url(pg_url: str) -> Iterator[str]:
    """A database name on the test server for the benchmark to create (dropped afterwards)."""
    url = make_url(pg_url).set(database=f"wismo_bench_{uuid.uuid4().hex[:8]}")
    yield url.render_as_string(hide_password=False)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    admin.dispose()


@pytest.mark.postgres
def test_a_run_on_both_backends_reports_each_and_finds_every_order(
    tmp_path: Path, bench_pg_url: str
) -> None:
    database = tmp_path / "store.db"
    report = run(tmp_path, "--sqlite", str(database), "--postgres", bench_pg_url)
    assert list(report["backends"]) == ["sqlite", "postgresql"]
    assert_reported(report, "sqlite")
    assert_reported(report, "postgresql")
    assert_every_order_is_found(bench_pg_url)


def test_a_database_whose_name_does_not_say_bench_is_never_recreated() -> None:
    with (
        pytest.raises(SystemExit),
        store.postgres_database("postgresql://x@127.0.0.1/shop", keep=True),
    ):
        pass
