"""The action server gets ready before its first shopper, and starts even when the store is down."""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions import server
from actions.runtime import services
from bot.domain.identity import OrderRef, RefKind


@pytest.fixture(autouse=True)
def fresh_services() -> Iterator[None]:
    services.cache_clear()
    yield
    services.cache_clear()
    gc.unfreeze()


def test_services_are_built_and_the_store_migrated_before_the_first_shopper(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    server.warm_up()
    assert services.cache_info().currsize == 1
    # The store answers at once: its schema is in place.
    assert services().wismo.orders.identities(OrderRef(RefKind.ORDER_NUMBER, "WM-000001")) == []
    assert gc.get_freeze_count() > 10_000


def test_a_store_that_is_down_at_start_is_logged_and_retried_by_the_actions(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere")
    with caplog.at_level(logging.ERROR, logger="actions.server"):
        server.warm_up()  # does not raise: the server still starts
    assert "could not be built at start" in caplog.text
    assert services.cache_info().currsize == 0  # the first action builds them, or apologizes


def test_a_bad_policy_file_stops_the_action_server_with_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yml"
    bad.write_text("delivered_not_received:\n  wait_hours: -3\nsurprise: 1\n", encoding="utf-8")
    env = {**os.environ, "STORE_POLICY": str(bad), "DATABASE_URL": f"sqlite:///{tmp_path}/w.db"}
    done = subprocess.run(
        [sys.executable, "-m", "actions.server", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "delivered_not_received.wait_hours" in done.stderr and "surprise" in done.stderr
