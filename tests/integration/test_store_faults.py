"""Database faults stay bounded: a silent server, slow statements, URLs without a driver."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.db.engine import make_engine, make_read_engine, migrate
from bot.adapters.db.repository import SqlOrderRepository
from bot.domain.errors import StoreUnavailable

MARGIN = 2.0  # seconds: absorbs a slow machine; the rule under test is the bound itself
PATIENCE = 15.0  # seconds: only so that a broken build fails instead of hanging


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A socket that accepts connections and never says a word (a wedged server)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()
    for connection in held:
        connection.close()


def outcome_within(seconds: float, work: Callable[[], object]) -> BaseException | None:
    """Run `work` on a thread; the exception it raised, failing the test if it runs too long."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # the outcome under test
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(PATIENCE)
    elapsed = time.monotonic() - started
    assert not thread.is_alive(), "still waiting on a silent database"
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    return raised[0] if raised else None


def test_a_silent_server_fails_migration_within_the_connect_timeout(silent_port: int) -> None:
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{silent_port}/wismo", connect_timeout=2)
    assert isinstance(outcome_within(2 + MARGIN, lambda: migrate(engine)), StoreUnavailable)


def test_a_silent_server_fails_a_lookup_within_the_connect_timeout(silent_port: int) -> None:
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{silent_port}/wismo", connect_timeout=2)
    repository = SqlOrderRepository.on(engine)  # lookups go through the read engine
    failure = outcome_within(2 + MARGIN, lambda: repository.get_by_number("WM-104233"))
    assert isinstance(failure, StoreUnavailable)


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_url_without_driver_uses_psycopg2(pg_url: str, scheme: str) -> None:
    url = pg_url.replace("postgresql+psycopg2://", f"{scheme}://")
    assert url.startswith(f"{scheme}://postgres@127.0.0.1:5432/")
    engine = make_engine(url)
    migrate(engine)
    repository = SqlOrderRepository.on(engine)
    assert repository.get_by_number("WM-000000") is None  # the query ran
    assert engine.dialect.driver == "psycopg2"
    repository.dispose()


@pytest.mark.postgres
def test_both_engines_cancel_a_statement_running_past_the_timeout(pg_url: str) -> None:
    engine = make_engine(pg_url, statement_timeout_ms=300)
    for each in (engine, make_read_engine(engine)):
        with each.connect() as connection:
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "300ms"
            started = time.monotonic()
            with pytest.raises(SQLAlchemyError, match="statement timeout"):
                connection.exec_driver_sql("SELECT pg_sleep(5)")
            assert time.monotonic() - started < 0.3 + MARGIN
        each.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_error_texts_never_carry_the_statement_parameters(
    request: pytest.FixtureRequest, kind: str
) -> None:
    url = request.getfixturevalue("sqlite_url" if kind == "sqlite" else "pg_url")
    engine = make_engine(url)
    for each in {engine, make_read_engine(engine)}:
        with each.connect() as connection, pytest.raises(SQLAlchemyError) as raised:
            connection.execute(
                text("SELECT * FROM no_such_table WHERE email = :email"),
                {"email": "jane.doe@example.com"},
            )
        assert "jane.doe@example.com" not in str(raised.value)
        each.dispose()
