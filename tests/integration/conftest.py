"""Fixtures of the integration tests: the order store on a real SQLite file and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.adapters.db.engine import make_engine, migrate
from bot.adapters.db.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated, empty order store: a SQLite file, then the session's PostgreSQL database."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as connection:  # the PostgreSQL database lives for the whole session
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    yield engine
    engine.dispose()
