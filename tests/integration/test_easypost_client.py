"""The EasyPost client against the real sandbox carrier and a misbehaving server, over HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from bot.adapters.carriers.easypost.client import EasyPostClient
from bot.adapters.carriers.sandbox import create_app
from bot.domain.clock import Clock
from bot.domain.errors import (
    CarrierAuthError,
    CarrierError,
    CarrierUnavailable,
    TrackingNotFound,
)
from bot.domain.shipments import (
    Location,
    ShipmentStatus,
    StatusDetail,
    Tracking,
    TrackingEvent,
)

EASTERN = timezone(timedelta(hours=-5))
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=EASTERN)
KEY = "test-key"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "easypost"
MEMPHIS = Location("Memphis", "TN", None, "US")


class InMemoryTrackingSource:
    """A SandboxTrackingSource over a dict, keyed by (carrier, tracking number)."""

    def __init__(self, *trackings: Tracking) -> None:
        self._trackings = {(t.carrier, t.tracking_number): t for t in trackings}

    def sandbox_tracking(self, carrier: str, tracking_number: str) -> Tracking | None:
        return self._trackings.get((carrier, tracking_number))


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=EASTERN)


def event(
    time: datetime, status: ShipmentStatus, detail: StatusDetail | None, text: str
) -> TrackingEvent:
    return TrackingEvent(time, status, detail, text, MEMPHIS)


S = ShipmentStatus
D = StatusDetail
IN_TRANSIT = Tracking(
    "ups",
    "1Z999AA10123456784",
    S.IN_TRANSIT,
    estimated_delivery=date(2026, 11, 21),
    events=(
        event(at(17, 10), S.PRE_TRANSIT, D.LABEL_CREATED, "Shipping label created"),
        event(at(17, 21), S.IN_TRANSIT, D.DEPARTURE_SCAN, "Departed from facility"),
        event(at(19, 8), S.EXCEPTION, D.WEATHER_DELAY, "Weather delay"),
    ),
)
# Delivered tomorrow, as far as the clock is concerned: that scan must stay hidden.
FUTURE_DELIVERY = Tracking(
    "usps",
    "9400111899223344556677",
    S.DELIVERED,
    estimated_delivery=date(2026, 11, 20),
    events=(
        event(at(20, 8), S.OUT_FOR_DELIVERY, None, "Out for delivery"),
        event(at(21, 13), S.DELIVERED, D.DELIVERED_TO_NEIGHBOR, "Delivered to neighbor"),
    ),
)
NOT_YET_SHIPPED = Tracking(
    "fedex",
    "449044304137821",
    S.PRE_TRANSIT,
    estimated_delivery=date(2026, 11, 25),
    events=(event(at(22, 9), S.PRE_TRANSIT, D.LABEL_CREATED, "Label created"),),
)
NEIGHBOR = Tracking(
    "dhl",
    "3473287543",
    S.DELIVERED,
    events=(event(at(19, 13), S.DELIVERED, D.DELIVERED_TO_NEIGHBOR, "Left with neighbor"),),
)


def serve_in_thread(serve_forever: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    source = InMemoryTrackingSource(IN_TRANSIT, FUTURE_DELIVERY, NOT_YET_SHIPPED, NEIGHBOR)
    app = create_app(source, Clock(NOW), KEY)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = serve_in_thread(server.serve_forever)
    yield f"http://127.0.0.1:{server.server_port}/v2"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def client(sandbox_url: str) -> EasyPostClient:
    return EasyPostClient(sandbox_url, KEY, timeout=2.0, clock=Clock(NOW))


def test_status_detail_events_and_estimate_come_through(client: EasyPostClient) -> None:
    tracking = client.track("ups", "1Z999AA10123456784")

    assert tracking.carrier == "ups"
    assert (tracking.status, tracking.detail) == (S.EXCEPTION, D.WEATHER_DELAY)
    assert tracking.estimated_delivery == date(2026, 11, 21)
    assert tracking.events == IN_TRANSIT.events
    assert tracking.fetched_at == NOW


def test_future_scans_are_hidden(client: EasyPostClient) -> None:
    tracking = client.track("usps", "9400111899223344556677")

    assert tracking.status is S.OUT_FOR_DELIVERY
    assert [e.description for e in tracking.events] == ["Out for delivery"]


def test_a_parcel_whose_first_scan_is_still_to_come_reads_unknown(client: EasyPostClient) -> None:
    tracking = client.track("fedex", "449044304137821")

    assert (tracking.status, tracking.events, tracking.estimated_delivery) == (S.UNKNOWN, (), None)


def test_exact_detail_survives_http(client: EasyPostClient) -> None:
    tracking = client.track("dhl", "3473287543")

    assert (tracking.status, tracking.detail) == (S.DELIVERED, D.DELIVERED_TO_NEIGHBOR)


def test_a_number_the_carrier_does_not_know_is_an_unknown_tracking(client: EasyPostClient) -> None:
    tracking = client.track("ups", "1Z999AA10000000000")

    assert (tracking.status, tracking.events) == (S.UNKNOWN, ())
    assert tracking.tracking_number == "1Z999AA10000000000"


def test_an_unsupported_carrier_is_a_rejected_request(client: EasyPostClient) -> None:
    with pytest.raises(CarrierError) as raised:
        client.track("acme", "1Z999AA10123456784")

    assert type(raised.value) is CarrierError
    assert "422" in str(raised.value)


def test_wrong_key_is_carrier_auth_error(sandbox_url: str) -> None:
    with pytest.raises(CarrierAuthError):
        EasyPostClient(sandbox_url, "wrong-key", timeout=2.0).track("ups", "1Z999AA10123456784")


def test_sandbox_answers_bad_input_in_easypost_shape(sandbox_url: str) -> None:
    url, auth = f"{sandbox_url}/trackers", (KEY, "")
    bad_bodies = [b"not json", b"[]", b'{"tracker": 1}', b'{"tracker": {"tracking_code": 42}}']
    for raw in bad_bodies:
        response = requests.post(
            url, data=raw, auth=auth, timeout=2, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, raw
        assert set(response.json()["error"]) == {"code", "message", "errors"}
    anonymous = requests.post(url, json={"tracker": {"tracking_code": "x"}}, timeout=2)
    assert anonymous.status_code == 401
    assert "code" in anonymous.json()["error"]
    missing = requests.get(f"{url}/trk_0000", auth=auth, timeout=2)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"


def test_sandbox_retrieves_and_lists_trackers(sandbox_url: str) -> None:
    url, auth = f"{sandbox_url}/trackers", (KEY, "")
    body = {"tracker": {"tracking_code": "1Z 999 AA1 0123 4567 84"}}  # carrier detected
    created = requests.post(url, json=body, auth=auth, timeout=2).json()
    assert created["id"].startswith("trk_")
    assert created["carrier"] == "UPS"

    again = requests.get(f"{url}/{created['id']}", auth=auth, timeout=2).json()
    assert again == created
    params = {"tracking_codes[]": ["9400111899223344556677"], "carrier": "USPS"}
    listed = requests.get(url, params=params, auth=auth, timeout=2).json()
    assert [t["tracking_code"] for t in listed["trackers"]] == ["9400111899223344556677"]
    assert listed["has_more"] is False
    assert requests.get(sandbox_url.replace("/v2", "/healthz"), timeout=2).json() == {
        "status": "ok"
    }


class FaultHandler(BaseHTTPRequestHandler):
    """Misbehaves according to the first path segment: /<scenario>/trackers."""

    hits: dict[str, int] = {}
    lock = threading.Lock()
    tracker = (FIXTURES / "tracker_in_transit.json").read_bytes()

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        scenario = self.path.strip("/").split("/")[0]
        with self.lock:
            self.hits[scenario] = hit = self.hits.get(scenario, 0) + 1
        if scenario == "slow":
            time.sleep(1.0)
        status, body = {
            "error500": (500, b'{"error": {"code": "INTERNAL", "message": "boom", "errors": []}}'),
            "down": (503, b"<html>maintenance</html>"),
            "flaky": (503 if hit == 1 else 200, self.tracker),
            "garbage": (200, b"{ this is not json"),
            "missing": (404, b'{"error": {"code": "NOT_FOUND", "message": "no", "errors": []}}'),
        }.get(scenario, (200, self.tracker))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def fault_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FaultHandler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = serve_in_thread(server.serve_forever)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def fault_client(fault_url: str, scenario: str, timeout: float = 2.0) -> EasyPostClient:
    return EasyPostClient(f"{fault_url}/{scenario}", KEY, timeout=timeout, clock=Clock(NOW))


def test_500_is_carrier_unavailable_without_retry(fault_url: str) -> None:
    with pytest.raises(CarrierUnavailable, match="500 INTERNAL: boom"):
        fault_client(fault_url, "error500").track("ups", "1Z999AA10123456784")
    assert FaultHandler.hits["error500"] == 1


def test_503_is_retried_once_then_carrier_unavailable(fault_url: str) -> None:
    with pytest.raises(CarrierUnavailable):
        fault_client(fault_url, "down").track("ups", "1Z999AA10123456784")
    assert FaultHandler.hits["down"] == 2


def test_503_then_200_succeeds_on_the_retry(fault_url: str) -> None:
    tracking = fault_client(fault_url, "flaky").track("ups", "1Z999AA10123456784")

    assert tracking.status is S.IN_TRANSIT
    assert FaultHandler.hits["flaky"] == 2


def test_malformed_json_is_carrier_unavailable(fault_url: str) -> None:
    with pytest.raises(CarrierUnavailable, match="not JSON"):
        fault_client(fault_url, "garbage").track("ups", "1Z999AA10123456784")


def test_404_is_tracking_not_found(fault_url: str) -> None:
    with pytest.raises(TrackingNotFound):
        fault_client(fault_url, "missing").track("ups", "1Z999AA10123456784")


def test_a_server_slower_than_the_timeout_fails_fast_without_retry(fault_url: str) -> None:
    started = time.monotonic()
    with pytest.raises(CarrierUnavailable, match="within 0.3 s"):
        fault_client(fault_url, "slow", timeout=0.3).track("ups", "1Z999AA10123456784")

    assert time.monotonic() - started < 1.0
    assert FaultHandler.hits["slow"] == 1


def test_connection_refused_is_carrier_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(CarrierUnavailable, match="could not be reached"):
        EasyPostClient(f"http://127.0.0.1:{port}/v2", KEY, timeout=0.5).track("ups", "1Z")

    assert time.monotonic() - started < 1.0
