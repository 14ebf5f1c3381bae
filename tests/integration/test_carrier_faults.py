"""Carrier faults stay bounded: hung and slow-drip carriers, the breaker, a revoked key.

Real sockets and a real HTTP server on 127.0.0.1; the EasyPost client is the real one.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.adapters.carriers.base import GuardedCarrier
from bot.adapters.carriers.easypost.client import EasyPostClient
from bot.domain.access import Grant, Level
from bot.domain.clock import Clock
from bot.domain.errors import CarrierAuthError, CarrierUnavailable, TrackingNotFound
from bot.domain.orders import Shipment
from bot.domain.shipments import ShipmentStatus
from bot.services.wismo import Wismo
from tests.unit.builders import NOW, FakeOrders, order, tracking

KEY = "test-key"
NUMBER = "1Z999AA10123456784"
MARGIN = 2.0  # seconds: absorbs a slow machine; the rule under test is the bound itself
TRACKER = Path(__file__).parent.parent / "fixtures" / "easypost" / "tracker_in_transit.json"


class SilentServer:
    """Accepts connections and then, per `mode`, never answers or drips a body slowly."""

    def __init__(self, mode: str, drip_every: float = 0.5) -> None:
        self.mode = mode
        self.drip_every = drip_every
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)
            if self.mode == "drip":
                threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection: socket.socket) -> None:
        """Headers at once, then a 40-byte body one byte at a time."""
        try:
            connection.recv(65536)
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"
            )
            for _ in range(40):
                if self.stopped.wait(self.drip_every):
                    return
                connection.sendall(b" ")
        except OSError:
            return

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()
        for connection in self.held:
            connection.close()


@pytest.fixture
def hung() -> Iterator[SilentServer]:
    server = SilentServer("hung")
    yield server
    server.close()


@pytest.fixture
def drip() -> Iterator[SilentServer]:
    server = SilentServer("drip")
    yield server
    server.close()


def client_of(port: int, timeout: float) -> EasyPostClient:
    return EasyPostClient(f"http://127.0.0.1:{port}/v2", KEY, timeout=timeout, clock=Clock(NOW))


def test_a_hung_carrier_fails_within_the_total_deadline(hung: SilentServer) -> None:
    started = time.monotonic()
    with pytest.raises(CarrierUnavailable, match="within 1 s"):
        client_of(hung.port, timeout=1.0).track("ups", NUMBER)
    assert time.monotonic() - started < 1.0 + MARGIN


def test_a_slow_drip_carrier_fails_within_the_total_deadline(drip: SilentServer) -> None:
    # Each byte comes well within a per-read timeout; only a total deadline stops it.
    started = time.monotonic()
    with pytest.raises(CarrierUnavailable):
        client_of(drip.port, timeout=1.5).track("ups", NUMBER)
    assert time.monotonic() - started < 1.5 + MARGIN


class CountingHandler(BaseHTTPRequestHandler):
    """Answers every POST with the class's current `status`, after `delay`; counts them."""

    status = 200
    delay = 0.0
    hits = 0
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        with self.lock:
            type(self).hits += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.delay)
        body = (
            TRACKER.read_bytes()
            if self.status == 200
            else (b'{"error": {"code": "E", "message": "refused", "errors": []}}')
        )
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def carrier() -> Iterator[type[CountingHandler]]:
    """A fresh counting carrier: its handler class, whose `port` the test reads."""
    handler = type("Handler", (CountingHandler,), {"hits": 0, "status": 200, "delay": 0.0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.port = server.server_address[1]  # type: ignore[attr-defined]
    yield handler
    server.shutdown()
    server.server_close()


def test_the_one_retry_fits_inside_the_same_deadline(carrier: type[CountingHandler]) -> None:
    carrier.status, carrier.delay = 503, 2.0
    started = time.monotonic()
    with pytest.raises(CarrierUnavailable):
        client_of(carrier.port, timeout=2.5).track("ups", NUMBER)  # type: ignore[attr-defined]
    # Two full attempts would take 4.1 s: the retry only gets what is left of 2.5 s.
    assert time.monotonic() - started < 2.5 + 0.8


def test_the_breaker_opens_after_n_failures_and_closes_after_the_reset_time(
    carrier: type[CountingHandler],
) -> None:
    carrier.status = 500
    guarded = GuardedCarrier(
        client_of(carrier.port, timeout=2.0),
        failures=3,
        reset_seconds=1.0,  # type: ignore[attr-defined]
    )
    for _ in range(3):
        with pytest.raises(CarrierUnavailable):
            guarded.track("ups", NUMBER)
    assert carrier.hits == 3

    started = time.monotonic()
    with pytest.raises(CarrierUnavailable):
        guarded.track("ups", NUMBER)
    assert time.monotonic() - started < 0.1 and carrier.hits == 3  # failed fast, not sent

    carrier.status = 200
    time.sleep(1.1)
    assert guarded.track("ups", NUMBER).status is ShipmentStatus.IN_TRANSIT
    assert guarded.track("ups", NUMBER).status is ShipmentStatus.IN_TRANSIT
    assert carrier.hits == 5


def test_a_breaker_is_per_carrier(carrier: type[CountingHandler]) -> None:
    carrier.status = 500
    guarded = GuardedCarrier(client_of(carrier.port, 2.0), failures=2, reset_seconds=30)  # type: ignore[attr-defined]
    for _ in range(3):
        with pytest.raises(CarrierUnavailable):
            guarded.track("ups", NUMBER)
    carrier.status = 200
    assert guarded.track("usps", "9400111899223344556677") is not None
    assert carrier.hits == 3


def test_unknown_tracking_numbers_never_open_the_breaker(carrier: type[CountingHandler]) -> None:
    carrier.status = 404
    guarded = GuardedCarrier(client_of(carrier.port, 2.0), failures=2, reset_seconds=30)  # type: ignore[attr-defined]
    for _ in range(4):
        with pytest.raises(TrackingNotFound):
            guarded.track("ups", NUMBER)
    assert carrier.hits == 4


def test_a_refused_key_is_logged_at_error_once_per_window(
    carrier: type[CountingHandler], caplog: pytest.LogCaptureFixture
) -> None:
    carrier.status = 401
    guarded = GuardedCarrier(client_of(carrier.port, 2.0), failures=5, reset_seconds=30)  # type: ignore[attr-defined]
    with caplog.at_level(logging.ERROR):
        for _ in range(4):
            with pytest.raises(CarrierAuthError):
                guarded.track("ups", NUMBER)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "ups" in errors[0].getMessage() and "key" in errors[0].getMessage()
    assert carrier.hits == 4  # a refused key is not an outage: the breaker stays closed


class AnyGrant:
    """Access that grants every order at STATUS level: this test is about carriers."""

    def grant_for(self, client: object, order_number: str, level: Level) -> Grant:
        return Grant(order_number, Level.STATUS)


def test_a_report_on_hung_carriers_takes_one_deadline_not_one_per_parcel(
    hung: SilentServer,
) -> None:
    parcels = tuple(
        Shipment("ups", number, NOW - timedelta(days=3))
        for number in ("1Z999AA10000000001", "1Z999AA10000000002", "1Z999AA10000000003")
    )
    kept = replace(tracking(number=parcels[0].tracking_number), fetched_at=NOW - timedelta(hours=2))
    store = FakeOrders([order(shipments=parcels)], {("ups", kept.tracking_number): kept})
    wismo = Wismo(
        store,
        client_of(hung.port, timeout=2.0),
        Clock(NOW),
        timedelta(0),
        access=AnyGrant(),  # type: ignore[arg-type]
        wait_for=timedelta(seconds=2.5),
    )
    started = time.monotonic()
    report = wismo.report(object(), "WM-104233")  # type: ignore[arg-type]

    assert time.monotonic() - started < 2.5 + MARGIN  # three in a row would take 6 s
    first, *others = report.shipments
    assert first.tracking == kept and first.stale_since == kept.fetched_at
    assert all(p.tracking is None for p in others)
