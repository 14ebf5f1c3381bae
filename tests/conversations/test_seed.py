"""`wismo seed` against the whole stack: simulated shoppers talk to the trained model over
REST and SMS, the event consumer stores their conversations, and the seed spreads them
over the week, moving nothing else; a second run adds nothing."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from bot.adapters.db.models import ConversationEventRow, ConversationRow, TicketRow
from bot.demo.seed import wait_until
from bot.demo.shoppers import PREFIX, SMS_PREFIX
from tests.support.chat import NOW, Chat
from tests.support.stack import ROOT, Stack

pytestmark = pytest.mark.conversation
WISMO = ROOT / ".venv" / "bin" / "wismo"


def seed(stack: Stack, count: int) -> str:
    done = subprocess.run(
        [str(WISMO), "seed", "--count", str(count), "--log-timeout", "120"],
        env={**stack.env, "RASA_URL": stack.base_url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_seeded_conversations_come_from_the_bot_and_span_the_week(stack: Stack) -> None:
    engine = create_engine(stack.env["DATABASE_URL"])
    real = Chat(stack.rest_url)  # a shopper of the stack's own: never moved
    assert "order number" in real.say("where is my order?")
    try:
        assert wait_until(lambda: bool(logged(engine, real.sender)), 60), "not in the log"
        with Session(engine) as db:
            before_events = pairs(db, ConversationEventRow.id, ConversationEventRow.at)
            before_started = pairs(db, ConversationRow.conversation, ConversationRow.started_at)
            before_tickets = pairs(db, TicketRow.id, TicketRow.created_at)

        printed = seed(stack, 6)
        seeded_at = datetime.now(UTC)
        assert "demo conversations with the bot" in printed, printed

        with Session(engine) as db:
            rows = db.scalars(select(ConversationRow)).all()
            seeded = {
                r.conversation: r
                for r in rows
                if r.conversation.startswith(PREFIX)
                or (r.conversation.startswith(SMS_PREFIX) and r.conversation not in before_started)
            }
            kinds = {
                (e.conversation, e.kind)
                for e in db.scalars(select(ConversationEventRow))
                if e.conversation in seeded
            }
            after_events = pairs(db, ConversationEventRow.id, ConversationEventRow.at)
            tickets = db.scalars(select(TicketRow)).all()
        # Through the real bot, on both channels: the shoppers' lines and the bot's.
        assert len(seeded) >= 5, sorted(seeded)
        assert any(c.startswith(SMS_PREFIX) for c in seeded), sorted(seeded)
        assert all((c, "user") in kinds and (c, "bot") in kinds for c in seeded), kinds
        # Spread: over several days, none later than now.
        starts = sorted(r.started_at for r in seeded.values())
        assert starts[-1] - starts[0] >= timedelta(days=2), starts
        assert len({s.date() for s in starts}) >= 3, starts
        # The hand-off was taken and closed by the demo's agent, and moved back as far as
        # its conversation (the stack's clock is fixed at NOW: the ticket was closed then).
        handed = [t for t in tickets if t.conversation in seeded]
        assert handed and all(t.agent == "ana" and t.closed_at for t in handed)
        for ticket in handed:
            assert ticket.closed_at is not None
            moved = datetime.fromisoformat(NOW) - ticket.closed_at
            conversation = seeded[ticket.conversation]
            assert abs(moved - (seeded_at - conversation.last_event_at)) < timedelta(minutes=30)
        # Nothing that was not seeded moved.
        assert real.sender in before_started and real.sender not in seeded
        assert all(after_events[i] == at for i, at in before_events.items())
        assert all(seeded_or(rows, c, at, seeded) for c, at in before_started.items())
        assert all(t.created_at == before_tickets[t.id] for t in tickets if t.id in before_tickets)

        again = seed(stack, 6)
        assert "already" in again, again
        with Session(engine) as db:
            assert len(db.execute(select(ConversationRow.id)).all()) == len(rows)
    finally:
        engine.dispose()


def logged(engine: Engine, name: str) -> list[ConversationRow]:
    with Session(engine) as db:
        return list(db.scalars(select(ConversationRow).where(ConversationRow.conversation == name)))


def pairs(db: Session, key: Any, value: Any) -> dict[Any, Any]:
    return dict(db.execute(select(key, value)).all())


def seeded_or(rows: Sequence[ConversationRow], name: str, at: object, seeded: dict) -> bool:  # type: ignore[type-arg]
    """The conversation is seeded, or it started when it did before the seed."""
    row = next(r for r in rows if r.conversation == name)
    return name in seeded or row.started_at == at
