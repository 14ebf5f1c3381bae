"""Fixtures shared by the test suites: a SQLite file, a fresh PostgreSQL database, and the
whole stack as `make run` starts it (conversations and browser tests share one).

The stack: every Procfile process on free ports, the trained model
(models/wismo.tar.gz, built by `make test`) behind the REST and socket.io
channels, the action server, the sandbox carrier, the web process and a fresh
SQLite database with the demo data; the clock is fixed so answers read the same
on any day.
"""

from __future__ import annotations

import importlib.util
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from tests.support.chat import NOW
from tests.support.postgres import PG_SERVER, fresh_database
from tests.support.stack import MODEL, RASA, Stack, start_wismo

PG_START_TIMEOUT = 30

# tests/rasa_side tests the Rasa-side code where it runs: in .venv-rasa, with Rasa
# installed (`make rasa-side`, part of `make test`). The app env has no Rasa to import.
if importlib.util.find_spec("rasa") is None:
    collect_ignore = ["rasa_side"]


def _postgres_is_up() -> bool:
    engine = create_engine(f"{PG_SERVER}/postgres", connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def _start_postgres() -> None:
    """Start the local cluster (the test machine has no systemd) and wait for it."""
    version = max(path.name for path in Path("/etc/postgresql").iterdir())
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True
    )
    deadline = time.monotonic() + PG_START_TIMEOUT
    while not _postgres_is_up():
        if time.monotonic() > deadline:
            raise RuntimeError("PostgreSQL did not start")
        time.sleep(0.5)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database made for this test session and dropped after it."""
    if not _postgres_is_up():
        _start_postgres()
    with fresh_database("wismo_test") as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database file of its own for one test."""
    return f"sqlite:///{tmp_path / 'wismo.db'}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Every Procfile process, as `make run` starts them, on free ports."""
    if not MODEL.exists() or not RASA.exists():
        pytest.fail("no trained model or Rasa environment: run `make test`, which builds both")
    running = start_wismo(
        tmp_path_factory.mktemp("stack"), {"WISMO_NOW": NOW, "TRACKING_CACHE_SECONDS": "0"}
    )
    try:
        running.wait_for_first_answer()
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def no_failed_checks_yet(request: pytest.FixtureRequest) -> None:
    """Each conversation test starts with no failed checks counted in the stack's store.

    Every test talks from the same address, so one test's lockouts would otherwise
    lock out the next.
    """
    if "stack" not in request.fixturenames:
        return
    running: Stack = request.getfixturevalue("stack")
    engine = create_engine(running.env["DATABASE_URL"])
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM check_failures")
    finally:
        engine.dispose()
