"""The helpdesk webhook end to end: a hand-off wired by `bootstrap.build`, the ledger on
SQLite and PostgreSQL, and the notifier's round POSTing to a real local HTTP server.

The receiver checks signatures with the Python snippet of docs/helpdesk-webhook.md,
run as it is printed there, so the documentation cannot drift from what is sent.
"""

from __future__ import annotations

import http.server
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bot.adapters.db.helpdesk import SqlHelpdeskDeliveries
from bot.adapters.db.repository import SqlOrderRepository
from bot.bootstrap import build, build_helpdesk_webhook
from bot.config import Settings
from bot.domain.access import Client
from bot.domain.helpdesk import HANDOFF_CREATED, Delivery, DeliveryState, verify_signature
from bot.domain.tickets import Ticket, Trigger
from bot.services.handoff import Handoff
from bot.services.helpdesk import HelpdeskWebhook
from bot.workers import notifier as notifier_worker
from tests.support.stack import ROOT, free_port

SECRET = "whsec-integration-0123456789abcdef"  # noqa: S105 (made up for the test)
RECEIVER_TOKEN = "receiver-token-42"  # noqa: S105 (in the URL: never to be logged)
PUBLIC = "https://wismo.shop.example"
SMS = Client("twilio", "sms:+14155550134", "sms:+14155550134", phone="+14155550134")
T0 = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


@dataclass
class Receiver:
    """The store's helpdesk: keeps each request and answers the next planned status."""

    url: str = ""
    statuses: list[int] = field(default_factory=lambda: [200])
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> int:
        self.requests.append((path, headers, body))
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    fake = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(fake.answer(self.path, dict(self.headers.items()), body))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield fake
    server.shutdown()


class IdleNotifier:
    """The notifier's own steps, each with nothing to do: the round's work is the webhook."""

    def __getattr__(self, step: str) -> Callable[[datetime], int]:
        return lambda now: 0


@dataclass
class Wired:
    handoff: Handoff
    webhook: HelpdeskWebhook
    ledger: SqlHelpdeskDeliveries

    def hand_off(self, now: datetime, told: list[str] | None = None) -> Ticket:
        return self.handoff.hand_off(SMS, Trigger.ASKED, None, told or [], now).ticket

    def round(self, now: datetime) -> None:
        notifier = IdleNotifier()
        notifier_worker.one_round(notifier, now, sweep=False, helpdesk=self.webhook)  # type: ignore[arg-type]

    def delivery(self, ticket: Ticket) -> Delivery:
        [delivery] = self.ledger.of_ticket(ticket.reference)
        return delivery


def wire(store_engine: Engine, url: str) -> Wired:
    """The stack's own wiring (settings, bootstrap) against this test's database."""
    settings = Settings.from_env(
        {
            "WISMO_SECRET": "integration-secret-0123456789abcdef",
            "DATABASE_URL": store_engine.url.render_as_string(hide_password=False),
            "HELPDESK_WEBHOOK_URL": url,
            "HELPDESK_WEBHOOK_SECRET": SECRET,
            "WEB_PUBLIC_URL": PUBLIC,
            "NOTIFIER_TIMEOUT": "2",
        }
    )
    webhook = build_helpdesk_webhook(settings, SqlOrderRepository.on(store_engine))
    assert webhook is not None
    return Wired(build(settings).handoff, webhook, SqlHelpdeskDeliveries.on(store_engine))


@pytest.fixture
def wired(store_engine: Engine, receiver: Receiver) -> Wired:
    return wire(store_engine, f"{receiver.url}/hooks/wismo?token={RECEIVER_TOKEN}")


def documented_verify() -> Callable[[str, str, bytes], bool]:
    """The `verify` function of docs/helpdesk-webhook.md, run as printed there."""
    text = (ROOT / "docs" / "helpdesk-webhook.md").read_text()
    found = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert found, "docs/helpdesk-webhook.md lost its Python snippet"
    namespace: dict[str, object] = {}
    exec(found[1], namespace)  # noqa: S102 (our own documentation, to prove it right)
    verify = namespace["verify"]
    assert callable(verify)
    return verify  # type: ignore[return-value]


def test_a_new_hand_off_reaches_the_helpdesk_signed_as_the_documentation_says(
    wired: Wired, receiver: Receiver
) -> None:
    now = datetime.now(UTC)  # the documented snippet reads the real clock
    ticket = wired.hand_off(now, ["I can call you at +1 415 555 0134."])
    wired.round(now)
    [(path, headers, body)] = receiver.requests
    assert path == f"/hooks/wismo?token={RECEIVER_TOKEN}"
    signed = headers["X-Wismo-Signature"]
    assert documented_verify()(SECRET, signed, body)
    assert verify_signature(SECRET, signed, body, now.timestamp())
    assert not documented_verify()("the-wrong-secret-0123456789", signed, body)
    assert headers["X-Wismo-Event"] == HANDOFF_CREATED
    assert headers["X-Wismo-Delivery"] == f"{ticket.reference}:{HANDOFF_CREATED}"
    sent = json.loads(body)["ticket"]
    assert sent["reference"] == ticket.reference and sent["channel"] == "twilio"
    assert sent["transcript_url"] == f"{PUBLIC}/console/tickets/{ticket.reference}"
    assert sent["packet"]["told"] == ["I can call you at <phone>."]
    assert b"4155550134" not in body
    delivery = wired.delivery(ticket)
    assert (delivery.state, delivery.attempts, delivery.sent_at) == (DeliveryState.SENT, 1, now)


def test_a_failing_receiver_is_retried_after_1_5_15_and_60_minutes_then_recorded_failed(
    wired: Wired, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.statuses = [500]
    ticket = wired.hand_off(T0)
    caplog.set_level(logging.INFO)
    for attempt, minutes in enumerate((0, 1, 6, 21, 81), start=1):
        due = T0 + timedelta(minutes=minutes)
        wired.round(due - timedelta(seconds=1))  # not yet
        assert len(receiver.requests) == attempt - 1
        wired.round(due)
        assert len(receiver.requests) == attempt
    wired.round(T0 + timedelta(days=1))
    assert len(receiver.requests) == 5
    delivery = wired.delivery(ticket)
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 5)
    assert delivery.last_error == "answered 500" and delivery.sent_at is None
    assert "failed for good" in caplog.text and ticket.reference in caplog.text
    for hidden in (SECRET, RECEIVER_TOKEN, "4155550134"):
        assert hidden not in caplog.text


def test_a_receiver_that_recovers_gets_the_delivery_and_later_rounds_never_resend_it(
    wired: Wired, receiver: Receiver
) -> None:
    receiver.statuses = [503, 204]
    ticket = wired.hand_off(T0)
    wired.hand_off(T0 + timedelta(seconds=30))  # asked again: the same ticket, no new delivery
    for minutes in (0, 1, 2, 120):
        wired.round(T0 + timedelta(minutes=minutes))
    assert len(receiver.requests) == 2
    assert {headers["X-Wismo-Delivery"] for _, headers, _ in receiver.requests} == {
        f"{ticket.reference}:{HANDOFF_CREATED}"
    }
    delivery = wired.delivery(ticket)
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 2)


def test_an_unreachable_receiver_counts_as_a_failed_attempt_to_retry(
    store_engine: Engine,
) -> None:
    wired = wire(store_engine, f"http://127.0.0.1:{free_port()}/hooks")
    ticket = wired.hand_off(T0)
    wired.round(T0)
    delivery = wired.delivery(ticket)
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)
    assert delivery.last_error == "no answer: ConnectionError"
    assert delivery.next_at == T0 + timedelta(minutes=1)


def test_a_delivery_claimed_by_one_notifier_cannot_be_claimed_by_another(
    wired: Wired,
) -> None:
    ticket = wired.hand_off(T0)
    assert wired.ledger.queue(Delivery(ticket.reference, HANDOFF_CREATED, T0, T0)) is False
    [seen_by_one] = wired.ledger.due(T0, 10)
    [seen_by_other] = wired.ledger.due(T0, 10)
    assert wired.ledger.claim(seen_by_one, T0, T0 + timedelta(minutes=5)) is True
    assert wired.ledger.claim(seen_by_other, T0, T0 + timedelta(minutes=5)) is False
    assert wired.ledger.due(T0 + timedelta(minutes=4), 10) == []
    [again] = wired.ledger.due(T0 + timedelta(minutes=5), 10)  # the first one died mid-send
    assert again.attempts == 1
