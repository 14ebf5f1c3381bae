"""Engines and migrations of the order store on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from bot.adapters.db.engine import make_engine, make_session_factory, migrate
from bot.adapters.db.models import Base
from bot.adapters.db.repository import SqlOrderRepository
from bot.domain.errors import StoreUnavailable

UNREACHABLE = "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    migrate(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrating_again_changes_nothing(engine: Engine) -> None:
    migrate(engine)
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)


def test_processes_starting_together_can_all_migrate(engine: Engine) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            migrate(engine)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_sqlite_file_uses_wal_and_foreign_keys(tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("store") / "nested" / "dir" / "wismo.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    engine.dispose()
    assert path.exists()


def test_an_in_memory_sqlite_store_is_shared_by_its_sessions() -> None:
    engine = make_engine("sqlite://")
    migrate(engine)
    repository = SqlOrderRepository(make_session_factory(engine))
    assert repository.get_by_number("WM-104233") is None


def test_an_unreachable_database_is_a_store_error() -> None:
    engine = make_engine(UNREACHABLE)
    with pytest.raises(StoreUnavailable):
        migrate(engine)
    with pytest.raises(StoreUnavailable):
        SqlOrderRepository(make_session_factory(engine)).get_by_number("WM-104233")


def test_readers_are_served_while_a_writer_holds_the_database(sqlite_url: str) -> None:
    migrate(make_engine(sqlite_url))
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO customers (email, name) VALUES ('a@example.com', 'A')")
    try:
        engine = make_engine(sqlite_url)  # a process starting while `wismo import` writes
        started = time.monotonic()
        migrate(engine)
        repository = SqlOrderRepository(make_session_factory(engine))
        assert repository.find_by_email("a@example.com") == []
        assert time.monotonic() - started < 2
        engine.dispose()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
