"""A burst of identical tracking questions against the real sandbox carrier, over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from werkzeug.serving import make_server

from bot.adapters.carriers.easypost.client import EasyPostClient
from bot.adapters.carriers.sandbox import create_app
from bot.adapters.db.engine import make_engine, make_session_factory, migrate
from bot.adapters.db.repository import SqlOrderRepository
from bot.domain.clock import Clock
from bot.domain.shipments import ShipmentStatus
from bot.services.wismo import Wismo
from tests.unit.builders import NOW, FakeOrders, make_access, order, tracking

KEY = "test-key"
NUMBER = "1Z999AA10123456784"
BURST = 100
PATIENCE = 10.0  # seconds; only so that a broken build fails instead of hanging


@pytest.fixture
def repository(sqlite_url: str) -> Iterator[SqlOrderRepository]:
    engine = make_engine(sqlite_url)
    migrate(engine)
    repository = SqlOrderRepository(make_session_factory(engine))
    repository.import_batch([order()], [tracking()])
    yield repository
    engine.dispose()


@pytest.fixture
def sandbox(repository: SqlOrderRepository) -> Iterator[str]:
    """The root URL of a fresh sandbox carrier (its counters at zero) serving the repository."""
    server = make_server("127.0.0.1", 0, create_app(repository, Clock(NOW), KEY), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=PATIENCE)


def stats(sandbox: str) -> object:
    return requests.get(f"{sandbox}/_sandbox/stats", timeout=PATIENCE).json()


def test_the_sandbox_counts_the_tracker_requests_it_receives(sandbox: str) -> None:
    assert stats(sandbox) == {"tracker_requests": 0, "by_tracking_code": {}}
    client = EasyPostClient(f"{sandbox}/v2", KEY, timeout=PATIENCE, clock=Clock(NOW))
    client.track("ups", NUMBER)
    client.track("ups", "1Z 999 AA1 0123 4567 84")
    client.track("ups", "1Z999AA10000000000")
    refused = requests.post(f"{sandbox}/v2/trackers", json={}, timeout=PATIENCE)
    listed = requests.get(f"{sandbox}/v2/trackers", auth=(KEY, ""), timeout=PATIENCE)
    requests.get(f"{sandbox}/healthz", timeout=PATIENCE)

    assert (refused.status_code, listed.status_code) == (401, 200)
    assert stats(sandbox) == {
        "tracker_requests": 5,
        "by_tracking_code": {NUMBER: 2, "1Z999AA10000000000": 1},
    }


def test_a_burst_of_100_identical_questions_causes_one_carrier_request(
    repository: SqlOrderRepository, sandbox: str
) -> None:
    client = EasyPostClient(f"{sandbox}/v2", KEY, timeout=PATIENCE, clock=Clock(NOW))
    wismo = Wismo(
        repository, client, Clock(NOW), timedelta(minutes=5), access=make_access(FakeOrders())
    )
    shipment = order().shipments[0]
    start = threading.Barrier(BURST)

    def ask() -> object:
        start.wait(PATIENCE)
        return wismo.tracking(shipment)

    with ThreadPoolExecutor(BURST) as pool:
        answers = [f.result(PATIENCE) for f in [pool.submit(ask) for _ in range(BURST)]]

    assert stats(sandbox) == {"tracker_requests": 1, "by_tracking_code": {NUMBER: 1}}
    fresh, stale_since = answers[0]  # type: ignore[misc]
    assert fresh.status is ShipmentStatus.IN_TRANSIT and stale_since is None
    assert all(answer == answers[0] for answer in answers)
    assert repository.last_snapshot("ups", NUMBER) == fresh
