"""The whole stack, as `make run` starts it, on free ports, for conversation tests.

The trained model (models/wismo.tar.gz, built by `make test`) answers over the
REST channel, started by the Procfile's own lines (tests/support/stack.py); the action
server, the sandbox carrier and a fresh SQLite database with the demo data sit
behind it; the clock is fixed so answers read the same
on any day.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine

from tests.support.chat import NOW, Chat
from tests.support.stack import MODEL, RASA, Stack, start_wismo


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


@pytest.fixture
def chat(stack: Stack) -> Chat:
    return Chat(stack.rest_url)


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
