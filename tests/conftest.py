"""Database fixtures shared by the test suites: a SQLite file and a fresh PostgreSQL database."""

from __future__ import annotations

import importlib.util
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from tests.support.postgres import PG_SERVER, fresh_database

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
