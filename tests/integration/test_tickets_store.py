"""Hand-off tickets in the real order store (SQLite and PostgreSQL), and `wismo tickets`."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.adapters.db.tickets import SqlTicketStore
from bot.domain.tickets import Ticket, TicketOutcome, TicketState, Trigger
from tests.support.stack import ROOT

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
WISMO = ROOT / ".venv" / "bin" / "wismo"


def ticket(reference: str, conversation: str, minutes: int = 0) -> Ticket:
    return Ticket(
        reference=reference,
        trigger=Trigger.ASKED,
        channel="twilio",
        conversation=conversation,
        verified=True,
        how="status",
        order_number="WM-104233",
        packet={"shipments": [{"status": "in_transit", "carrier": "UPS"}], "told": ["Hi"]},
        created_at=NOW + timedelta(minutes=minutes),
    )


def test_one_ticket_stands_per_conversation_until_it_is_closed(store_engine: Engine) -> None:
    store = SqlTicketStore.on(store_engine)
    first = store.open(ticket("HD-AAAAAA", "sms:+14155550134"))
    again = store.open(ticket("HD-BBBBBB", "sms:+14155550134", 1))
    assert again.reference == first.reference == "HD-AAAAAA"
    assert store.active_for("twilio", "sms:+14155550134") == first
    assert store.take("HD-AAAAAA", NOW, "ana") and not store.take("HD-AAAAAA", NOW, "ben")
    assert store.by_reference("HD-AAAAAA").agent == "ana"  # type: ignore[union-attr]
    assert store.close("HD-AAAAAA", NOW, TicketOutcome.HANDED_BACK)
    assert store.by_reference("HD-AAAAAA").outcome is TicketOutcome.HANDED_BACK  # type: ignore[union-attr]
    assert store.active_for("twilio", "sms:+14155550134") is None
    assert store.open(ticket("HD-CCCCCC", "sms:+14155550134", 2)).reference == "HD-CCCCCC"


def test_the_queue_is_the_open_tickets_oldest_first(store_engine: Engine) -> None:
    store = SqlTicketStore.on(store_engine)
    kept = [store.open(ticket(f"HD-00000{n}", f"c{n}", n)) for n in range(3)]
    assert [t.reference for t in store.queue(10)] == ["HD-000000", "HD-000001", "HD-000002"]
    assert store.ahead_of(kept[2]) == 2
    store.take("HD-000000", NOW, "ana")
    assert store.ahead_of(kept[2]) == 1
    assert store.queue(10)[0].packet["shipments"][0]["carrier"] == "UPS"
    assert replace(kept[1], state=TicketState.OPEN) == store.queue(10)[0]


def test_wismo_tickets_lists_the_queue_without_the_shoppers_phone(
    store_engine: Engine, sqlite_url: str
) -> None:
    if store_engine.dialect.name != "sqlite":
        return
    store = SqlTicketStore.on(store_engine)
    store.open(
        replace(ticket("HD-AAAAAA", "sms:+14155550134"), packet={"told": ["call +1 415 555 0134"]})
    )
    env = {"DATABASE_URL": sqlite_url, "WISMO_SECRET": "x" * 32, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [str(WISMO), "tickets"], env=env, capture_output=True, text=True, check=True
    )
    assert "1 open ticket(s)" in out.stdout and "HD-AAAAAA" in out.stdout
    assert "555" not in out.stdout
