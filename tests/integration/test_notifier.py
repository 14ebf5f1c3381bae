"""The notifier over the real order store, and `wismo notifier` against a stand-in Rasa.

The stand-in answers Rasa's `trigger_intent` the way the stack does: it checks the
notice's token and claims the notice as `action_send_notice` does, and counts a message
only when the claim wins. So "one message" below is what the shopper would see.
"""

from __future__ import annotations

import http.server
import json
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import Engine

from bot.adapters.db.claims import SqlCheckBackStore
from bot.adapters.db.engine import make_engine, migrate
from bot.adapters.db.notices import SqlNoticeStore, SqlSubscriptionStore
from bot.adapters.db.repository import SqlOrderRepository
from bot.adapters.db.tickets import SqlTicketStore
from bot.adapters.rasa_api import RasaConversationTrigger, SignedNoticeTokens, rasa_token
from bot.domain.claims import CheckBack, CheckBackKind, Conversation
from bot.domain.notices import MAX_ATTEMPTS, Notice, NoticeKind, NoticeState, Subscription
from bot.domain.orders import Address
from bot.domain.shipments import Location, ShipmentStatus, Tracking, TrackingEvent
from bot.domain.tickets import Ticket, Trigger
from bot.services.notify import Notifier
from bot.services.overdue import OverdueTickets
from bot.services.ports import NoticeRepository, SubscriptionRepository
from tests.support.stack import ROOT, free_port
from tests.unit.builders import FakeCarrier, order
from tests.unit.fake_tickets import team_hours
from tests.unit.test_notify import FakeNotices, FakeSubscriptions, FakeTrigger

FAKES: tuple[NoticeRepository, SubscriptionRepository] = (FakeNotices(), FakeSubscriptions())
WISMO = ROOT / ".venv" / "bin" / "wismo"
SECRET = b"notifier-test-secret-0123456789abcdef"
PARCEL = "1Z999AA10123456784"
SMS = ("twilio", "sms:+14155550134")
LA = Address("1 Main St", "Oakland", "94607", "US", region="CA")


@dataclass
class FakeRasa:
    """Rasa's trigger_intent API: records calls, claims like the action, can fail or stall."""

    url: str = ""
    store: SqlNoticeStore | None = None
    calls: list[dict[str, str]] = field(default_factory=list)
    messages: list[int] = field(default_factory=list)
    fail_with: int | None = None
    stall_first: float = 0.0
    arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, path: str, body: dict[str, object]) -> int:
        parsed = urlparse(path)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        recipient = parsed.path.split("/")[2]  # as Rasa reads it: not percent-decoded
        entities = body.get("entities")
        token = entities.get("notice") if isinstance(entities, dict) else None
        with self.lock:
            first = not self.calls
            self.calls.append({"recipient": recipient, **query, "token": str(token)})
        self.arrived.set()
        if self.fail_with:
            return self.fail_with
        if first and self.stall_first:
            time.sleep(self.stall_first)  # the notifier is killed meanwhile; the action runs late
        notice_id = SignedNoticeTokens(SECRET).notice_id(str(token))
        assert query.get("token") == rasa_token(SECRET) and notice_id is not None
        assert self.store is not None
        if self.store.claim(notice_id, datetime.now(UTC)):
            self.messages.append(notice_id)
        return 200


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            status = fake.handle(self.path, json.loads(self.rfile.read(length) or b"{}"))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()


@pytest.fixture
def orders(store_engine: Engine) -> Iterator[SqlOrderRepository]:
    repository = SqlOrderRepository.on(store_engine)
    repository.import_batch([order(shipping_address=LA)], [])
    yield repository
    repository.dispose()


def parcel(status: ShipmentStatus, at: datetime) -> Tracking:
    scan = TrackingEvent(at, status, None, "Out for delivery", Location("Oakland", "CA"))
    return Tracking("ups", PARCEL, status, None, None, (scan,))


def notifier(orders: SqlOrderRepository, rasa: FakeRasa) -> Notifier:
    engine = orders.engine
    rasa.store = SqlNoticeStore.on(engine)
    trigger = RasaConversationTrigger(rasa.url, rasa_token(SECRET), SignedNoticeTokens(SECRET), 5)
    return Notifier(orders, FakeCarrier(), rasa.store, SqlSubscriptionStore.on(engine), trigger)


def noon_in_oakland() -> datetime:
    return datetime(2026, 12, 4, 12, 0, tzinfo=UTC) + timedelta(hours=8)


def test_the_ledger_keeps_a_key_once_and_a_claim_wins_once(orders: SqlOrderRepository) -> None:
    store = SqlNoticeStore.on(orders.engine)
    now = noon_in_oakland()
    notice = Notice("k1", NoticeKind.STATUS_CHANGE, "WM-104233", PARCEL, *SMS, {"a": "b"}, now, now)
    assert store.add(notice) is True
    assert store.add(notice) is False
    [kept] = store.due(now, 10)
    assert kept.facts == {"a": "b"} and kept.id is not None
    assert store.claim(kept.id, now) is True
    assert store.claim(kept.id, now) is False
    assert store.due(now, 10) == []


def test_consent_is_kept_with_its_time_and_stopped_per_order(orders: SqlOrderRepository) -> None:
    subs = SqlSubscriptionStore.on(orders.engine)
    now = noon_in_oakland()
    subs.subscribe(Subscription("WM-104233", *SMS, now - timedelta(days=1)))
    again = subs.subscribe(Subscription("WM-104233", *SMS, now))
    assert again.consented_at == now and [s.id for s in subs.of_recipient(*SMS)] == [again.id]
    assert subs.subscribed_orders(10) == ["WM-104233"]
    assert subs.subscribed_orders(10, after="WM-104232") == ["WM-104233"]
    assert subs.subscribed_orders(10, after="WM-104233") == []
    assert subs.stop(*SMS, "WM-104233", now) == 1
    assert subs.active_for_order("WM-104233") == []
    subs.opt_out(*SMS, now)
    subs.opt_out(*SMS, now)
    assert subs.opted_out(*SMS)
    subs.opt_in(*SMS)
    assert not subs.opted_out(*SMS)


def test_a_due_check_back_is_sent_once(orders: SqlOrderRepository, rasa: FakeRasa) -> None:
    now = noon_in_oakland()
    backs = SqlCheckBackStore.on(orders.engine)
    backs.schedule(
        CheckBack(
            "WM-104233",
            CheckBackKind.DELIVERY_WINDOW_END,
            now - timedelta(minutes=1),
            Conversation(SMS[0], "0" * 64),
            now - timedelta(days=1),
            recipient=SMS[1],
        )
    )
    worker = notifier(orders, rasa)
    for minute in range(3):
        worker.cycle(now + timedelta(minutes=minute))
    assert len(rasa.calls) == 1 and len(rasa.messages) == 1
    assert rasa.calls[0]["recipient"] == SMS[1] and rasa.calls[0]["output_channel"] == "twilio"


def test_quiet_hours_defer_the_message(orders: SqlOrderRepository, rasa: FakeRasa) -> None:
    night = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # 23:00 in Oakland
    worker = notifier(orders, rasa)
    SqlSubscriptionStore.on(orders.engine).subscribe(
        Subscription("WM-104233", *SMS, night - timedelta(days=1))
    )
    worker.record_change(PARCEL, parcel(ShipmentStatus.DELIVERED, night), night)
    worker.send_due(night)
    assert rasa.calls == []
    [notice] = SqlNoticeStore.on(orders.engine).due(night + timedelta(hours=9), 10)
    assert notice.state is NoticeState.DEFERRED
    assert notice.next_attempt_at == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # 08:00 there
    worker.send_due(notice.next_attempt_at)
    assert len(rasa.messages) == 1


def test_a_failing_rasa_is_retried_then_recorded_failed(
    orders: SqlOrderRepository, rasa: FakeRasa
) -> None:
    rasa.fail_with = 500
    now = noon_in_oakland()
    worker = notifier(orders, rasa)
    SqlSubscriptionStore.on(orders.engine).subscribe(
        Subscription("WM-104233", *SMS, now - timedelta(days=1))
    )
    worker.record_change(PARCEL, parcel(ShipmentStatus.DELIVERED, now), now)
    at = now
    for _ in range(MAX_ATTEMPTS + 2):
        worker.send_due(at)
        at += timedelta(hours=2)
    assert len(rasa.calls) == MAX_ATTEMPTS
    store = SqlNoticeStore.on(orders.engine)
    assert store.due(at, 10) == []
    failed = store.by_key(store_keys(orders)[0])
    assert failed is not None and failed.state is NoticeState.FAILED
    assert failed.last_error == "Rasa answered 500" and failed.attempts == MAX_ATTEMPTS


def store_keys(orders: SqlOrderRepository) -> list[str]:
    with orders.engine.connect() as connection:
        return [row[0] for row in connection.exec_driver_sql("SELECT key FROM notices")]


# --- the process: killed and started again, one message -----------------------------


@pytest.fixture
def process_env(tmp_path: Path, rasa: FakeRasa) -> Iterator[dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'wismo.db'}"
    engine = make_engine(url)
    migrate(engine)
    repository = SqlOrderRepository.on(engine)
    repository.import_batch([order(shipping_address=LA)], [])
    rasa.store = SqlNoticeStore.on(engine)
    now = datetime.now(UTC)
    SqlSubscriptionStore.on(engine).subscribe(
        Subscription("WM-104233", *SMS, now - timedelta(hours=2))
    )
    # Learnt as a webhook would; the process finds it due and sends it.
    learner = Notifier(
        repository, FakeCarrier(), rasa.store, SqlSubscriptionStore.on(engine), FakeTrigger()
    )
    learner.record_change(
        PARCEL, parcel(ShipmentStatus.OUT_FOR_DELIVERY, now - timedelta(hours=1)), now
    )
    yield {
        **os.environ,
        "DATABASE_URL": url,
        "WISMO_SECRET": SECRET.decode(),
        "RASA_URL": rasa.url,
        "EASYPOST_API_URL": f"http://127.0.0.1:{free_port()}/v2",  # no carrier: polls fail
        "NOTIFIER_INTERVAL_SECONDS": "0.2",
        "NOTIFIER_POLL_SECONDS": "3600",
        "QUIET_HOURS_START": "00:00",  # no quiet hours: the test runs at any time of day
        "QUIET_HOURS_END": "00:00",
    }
    repository.dispose()


def start(env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(WISMO), "notifier", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_until_serving(proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Until the notifier says it runs: its SIGTERM handler is in place from then on.

    A signal sent while it still imports ends it the default way (CI's slow start did)."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, f"the notifier did not start in {timeout:g} s"
    line = proc.stdout.readline()
    assert line.startswith(b"notifier every"), line


@pytest.mark.parametrize("action_runs", ["before the kill", "after the restart"])
def test_a_change_is_one_message_when_the_notifier_is_killed_mid_send(
    process_env: dict[str, str], rasa: FakeRasa, action_runs: str
) -> None:
    # Killed after Rasa took the trigger: the action already claimed it, or (stalled) it
    # claims it only after the restarted notifier sent it again: one claim wins either way.
    rasa.stall_first = 3.0 if action_runs == "after the restart" else 0.0
    first = start(process_env)
    assert rasa.arrived.wait(30), "the notifier never called Rasa"
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    again = start(process_env)
    wait_until_serving(again)
    time.sleep(4)
    again.send_signal(signal.SIGTERM)
    assert again.wait(10) == 0
    assert len(rasa.messages) == 1
    if action_runs == "before the kill":
        assert len(rasa.calls) == 1


# --- hand-offs nobody took in time: one notice, never once a person has it ----------


def handoff_notifier(orders: SqlOrderRepository, rasa: FakeRasa) -> Notifier:
    worker = notifier(orders, rasa)
    tickets = SqlTicketStore.on(orders.engine)
    worker.handoffs = OverdueTickets(tickets, SqlNoticeStore.on(orders.engine), team_hours(), 15)
    return worker


def open_ticket(
    orders: SqlOrderRepository, opened: datetime, order_number: str | None = "WM-104233"
) -> SqlTicketStore:
    tickets = SqlTicketStore.on(orders.engine)
    packet: dict[str, object] = {"told": []}
    if order_number:
        packet["order_proof"] = "status"
    proof = "status" if order_number else "none"
    tickets.open(
        Ticket(
            "HD-ABC234",
            Trigger.ASKED,
            *SMS,
            bool(order_number),
            proof,
            order_number,
            packet,
            opened,
        )
    )
    return tickets


@pytest.mark.parametrize("order_number", ["WM-104233", None], ids=["an order", "no order"])
def test_a_ticket_nobody_took_in_time_gets_exactly_one_notice(
    orders: SqlOrderRepository, rasa: FakeRasa, order_number: str | None
) -> None:
    now = noon_in_oakland()  # 15:00 in New York: the team is at work
    tickets = open_ticket(orders, now - timedelta(minutes=14), order_number)
    worker = handoff_notifier(orders, rasa)
    worker.cycle(now)
    assert rasa.calls == []
    for minute in range(1, 4):
        worker.cycle(now + timedelta(minutes=minute))
    assert len(rasa.calls) == 1 and len(rasa.messages) == 1
    assert rasa.calls[0]["recipient"] == SMS[1] and rasa.calls[0]["output_channel"] == "twilio"
    ticket = tickets.by_reference("HD-ABC234")
    assert ticket is not None and ticket.overdue_at == now + timedelta(minutes=1)


def test_a_ticket_a_person_took_gets_no_notice(orders: SqlOrderRepository, rasa: FakeRasa) -> None:
    now = noon_in_oakland()
    tickets = open_ticket(orders, now - timedelta(minutes=20))
    assert tickets.take("HD-ABC234", now - timedelta(minutes=5), "sam")
    worker = handoff_notifier(orders, rasa)
    for minute in range(3):
        worker.cycle(now + timedelta(minutes=minute))
    assert rasa.calls == []


def test_a_ticket_taken_after_its_notice_was_queued_gets_no_message(
    orders: SqlOrderRepository, rasa: FakeRasa
) -> None:
    now = noon_in_oakland()
    tickets = open_ticket(orders, now - timedelta(minutes=20))
    worker = handoff_notifier(orders, rasa)
    assert worker.queue_overdue(now) == 1
    assert tickets.take("HD-ABC234", now, "sam")
    for minute in range(3):
        worker.cycle(now + timedelta(minutes=minute))
    assert rasa.calls == []
    [key] = store_keys(orders)
    dropped = SqlNoticeStore.on(orders.engine).by_key(key)
    assert dropped is not None and dropped.state is NoticeState.FAILED
    assert dropped.last_error == "the ticket was taken or closed"


def test_a_ticket_from_friday_night_waits_for_the_team_then_for_the_shoppers_morning(
    orders: SqlOrderRepository, rasa: FakeRasa
) -> None:
    friday_night = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 20:00 Friday in New York
    open_ticket(orders, friday_night)
    worker = handoff_notifier(orders, rasa)
    worker.cycle(datetime(2026, 12, 5, 18, 0, tzinfo=UTC))  # Saturday
    monday_915 = datetime(2026, 12, 7, 14, 15, tzinfo=UTC)  # 06:15 in Oakland
    worker.cycle(monday_915 - timedelta(minutes=1))
    assert store_keys(orders) == []
    worker.cycle(monday_915)
    assert rasa.calls == []  # the shopper asked three days ago: not before 08:00 there
    worker.cycle(datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    assert len(rasa.messages) == 1
