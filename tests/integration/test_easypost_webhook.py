"""EasyPost's tracker webhooks: received by the web process, sent by the sandbox carrier."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from bot.adapters.carriers.easypost.parse import parse_tracker
from bot.adapters.carriers.easypost.webhook import SIGNATURE_HEADER, signature, signed
from bot.adapters.carriers.sandbox.app import create_app as create_sandbox
from bot.adapters.carriers.sandbox.webhooks import WebhookConfig
from bot.adapters.carriers.sandbox.wire import render_tracker
from bot.adapters.db.engine import make_engine, migrate
from bot.adapters.db.notices import SqlNoticeStore, SqlSubscriptionStore
from bot.adapters.db.repository import SqlOrderRepository
from bot.config import Settings
from bot.domain.notices import Subscription
from bot.domain.shipments import Location, ShipmentStatus, Tracking, TrackingEvent
from bot.web.app import create_app
from tests.unit.builders import order

HOOK_SECRET = "whsec_tést_secret"  # noqa: S105 (made up; not ASCII, so NFKD matters)
PARCEL = "1Z999AA10123456784"
NOW = datetime.now(UTC).replace(microsecond=0)


def history(*hours: float) -> Tracking:
    statuses = [ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY]
    events = tuple(
        TrackingEvent(NOW + timedelta(hours=h), s, None, s.value, Location("Oakland", "CA"))
        for h, s in zip(hours, statuses, strict=False)
    )
    return Tracking("ups", PARCEL, events[-1].status, None, None, events)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlOrderRepository]:
    engine = make_engine(f"sqlite:///{tmp_path / 'wismo.db'}")
    migrate(engine)
    repository = SqlOrderRepository.on(engine)
    repository.import_batch([order()], [history(-2, 1)])
    SqlSubscriptionStore.on(engine).subscribe(
        Subscription("WM-104233", "twilio", "sms:+14155550134", NOW - timedelta(hours=3))
    )
    yield repository
    repository.dispose()


@pytest.fixture
def web(store: SqlOrderRepository) -> FlaskClient:
    settings = Settings(
        database_url=str(store.engine.url),
        secret=b"webhook-test-secret",
        easypost_webhook_secret=HOOK_SECRET,
    )
    return create_app(settings).test_client()


def event_body(tracking: Tracking) -> bytes:
    tracker = render_tracker("ups", PARCEL, tracking, NOW)
    event = {"object": "Event", "id": "evt_1", "description": "tracker.updated", "result": tracker}
    return json.dumps(event).encode()


def notices(store: SqlOrderRepository) -> int:
    return len(SqlNoticeStore.on(store.engine).due(NOW + timedelta(days=1), 100))


def post(web: FlaskClient, body: bytes, sig: str | None) -> int:
    headers = {SIGNATURE_HEADER: sig} if sig else {}
    return web.post(
        "/webhooks/easypost", data=body, headers=headers, content_type="application/json"
    ).status_code


def test_a_forged_or_unsigned_event_is_refused_and_nothing_recorded(
    web: FlaskClient, store: SqlOrderRepository
) -> None:
    body = event_body(history(-1))
    assert post(web, body, None) == 403
    assert post(web, body, signature("not-the-secret", body)) == 403
    tampered = body.replace(b"Oakland", b"Reno")
    assert post(web, tampered, signature(HOOK_SECRET, body)) == 403
    assert notices(store) == 0


def test_a_signed_status_change_queues_a_notice_once(
    web: FlaskClient, store: SqlOrderRepository
) -> None:
    body = event_body(history(-2, -1))
    assert post(web, body, signature(HOOK_SECRET, body)) == 200
    assert post(web, body, signature(HOOK_SECRET, body)) == 200  # EasyPost retries happen
    assert notices(store) == 1


@dataclass
class MovableClock:
    at: datetime = NOW

    def now(self) -> datetime:
        return self.at


@dataclass
class Receiver:
    url: str = ""
    posts: list[tuple[bytes, str | None]] = field(default_factory=list)
    got: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    recorded = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            recorded.posts.append((body, self.headers.get(SIGNATURE_HEADER)))
            recorded.got.set()
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorded.url = f"http://127.0.0.1:{server.server_port}/webhooks/easypost"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield recorded
    server.shutdown()


def test_the_sandbox_sends_a_signed_event_when_a_scan_comes_due(
    store: SqlOrderRepository, receiver: Receiver
) -> None:
    clock = MovableClock()
    config = WebhookConfig(receiver.url, HOOK_SECRET, interval=0.1)
    sandbox = create_sandbox(store, clock, "key", webhooks=config)  # type: ignore[arg-type]
    created = sandbox.test_client().post(
        "/v2/trackers", json={"tracker": {"tracking_code": PARCEL}}, auth=("key", "")
    )
    assert created.status_code == 201
    assert not receiver.got.wait(0.5)  # nothing new yet: no event
    clock.at = NOW + timedelta(hours=2)  # the out-for-delivery scan comes due
    assert receiver.got.wait(5)
    body, header = receiver.posts[0]
    assert signed(HOOK_SECRET, body, header)
    event = json.loads(body)
    assert event["description"] == "tracker.updated"
    assert parse_tracker(event["result"]).status is ShipmentStatus.OUT_FOR_DELIVERY
    assert len(receiver.posts) == 1
