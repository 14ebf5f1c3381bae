"""The `wismo` command says what is wrong in one line, and never writes where it should not."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.support.postgres import fresh_database

WISMO = Path(sys.executable).parent / "wismo"


def wismo(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WISMO_")}
    env["DATABASE_URL"] = database_url
    return subprocess.run([str(WISMO), *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("url", ["nonsense", "mysql://someone@nowhere/db", "sqlite"])
def test_a_database_url_that_is_no_use_gets_one_clear_line(url: str) -> None:
    done = wismo(url, "migrate")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "DATABASE_URL" in done.stderr


@pytest.fixture
def empty_pg_database(pg_url: str) -> Iterator[str]:
    with fresh_database("wismo_demo") as url:  # pg_url: the server is up
        yield url


@pytest.mark.postgres
def test_the_demo_is_loaded_into_a_database_server_only_when_asked(empty_pg_database: str) -> None:
    skipped = wismo(empty_pg_database, "demo", "--load")
    assert skipped.returncode == 0 and "not loading" in skipped.stdout
    engine = create_engine(empty_pg_database)
    try:
        assert "orders" not in inspect(engine).get_table_names()
        loaded = wismo(empty_pg_database, "demo", "--load", "--anywhere")
        assert loaded.returncode == 0 and "loaded" in loaded.stdout
        assert "orders" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
