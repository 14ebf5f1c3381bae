"""The demo's seeded conversations in the real order store (SQLite and PostgreSQL): found
by their mark, and moved back in every table that keeps a time of them, and only they."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select

from bot.adapters.db.models import (
    ConversationEventRow,
    ConversationRow,
    SurveyRow,
    TicketRow,
    ToldParcelRow,
)
from bot.adapters.db.seeded import TIMED, SqlSeededConversations
from bot.domain.tickets import TicketOutcome, TicketState, Trigger

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
SEEDED, REAL = "demo-seed-status-1", "sms:+14155550134"


def add_conversation(engine: Engine, name: str, number: int) -> None:
    at = NOW
    with engine.begin() as db:
        db.execute(
            insert(ConversationEventRow).values(
                source="s", number=number, conversation=name, kind="user", at=at,
                entities=[], details={},
            )
        )  # fmt: skip
        db.execute(
            insert(ConversationRow).values(
                conversation=name, channel="rest", started_at=at, last_event_at=at, events=1,
                user_messages=1, bot_messages=0, intents=[], order_numbers=[],
            )
        )  # fmt: skip
        db.execute(
            insert(TicketRow).values(
                reference=f"T-{number}", state=TicketState.CLOSED, trigger=Trigger.ASKED,
                channel="rest", conversation=name, verified=False, how="", packet={},
                created_at=at, taken_at=at, closed_at=at, agent="ana",
                outcome=TicketOutcome.CLOSED,
            )
        )  # fmt: skip
        db.execute(
            insert(SurveyRow).values(
                shopper="a" * 64, channel="rest", conversation=name, asked_at=at, score=9,
                answered_at=at,
            )
        )  # fmt: skip
        db.execute(
            insert(ToldParcelRow).values(
                conversation=name, at=at, order_number="WM-104240", carrier="usps",
                tracking_number="9400", situation="on_time", estimate=date(2026, 11, 21),
            )
        )  # fmt: skip


def times(engine: Engine, name: str) -> dict[str, list[Any]]:
    found = {}
    with engine.connect() as db:
        for row, columns in TIMED:
            for column in columns:
                query = select(getattr(row, column)).where(row.conversation == name)
                found[f"{row.__tablename__}.{column}"] = list(db.scalars(query))
    return found


def test_only_the_seeded_conversation_moves_in_every_table(store_engine: Engine) -> None:
    add_conversation(store_engine, SEEDED, 1)
    add_conversation(store_engine, REAL, 2)
    store = SqlSeededConversations.on(store_engine)
    back = timedelta(days=3, hours=5, minutes=7)
    assert store.shift({SEEDED: back}) == 5  # one row in each table
    moved, kept = times(store_engine, SEEDED), times(store_engine, REAL)
    overdue = "tickets.overdue_at"  # never set: stays empty
    assert moved.pop(overdue) == kept.pop(overdue) == [None]
    assert all(values == [NOW] for values in kept.values()), kept
    assert all(values == [NOW - back] for values in moved.values()), moved


def test_the_seed_finds_its_mark_the_conversations_known_and_the_messages(
    store_engine: Engine,
) -> None:
    store = SqlSeededConversations.on(store_engine)
    assert not store.any_named("demo-seed-")
    add_conversation(store_engine, REAL, 2)
    assert not store.any_named("demo-seed-")
    add_conversation(store_engine, SEEDED, 1)
    assert store.any_named("demo-seed-")
    assert store.known([REAL, "sms:+15550000000"]) == {REAL}
    assert store.messages([SEEDED, "nobody"]) == {SEEDED: (1, 1)}
    assert store.open_tickets([SEEDED, REAL]) == []
