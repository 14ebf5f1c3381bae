"""Conversations copied from Rasa's event broker: a `ConversationLog` in the order store.

A batch is one transaction: its events are inserted with ON CONFLICT (source, number)
DO NOTHING ... RETURNING, so only the events new to the store are counted into the
summaries; then the summaries and the source's cursor are written. A process killed
mid-batch leaves none of it, and a batch stored twice changes nothing the second time.
Every SQLAlchemy error leaves this module as `StoreUnavailable`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.adapters.db.models import ConsumerCursorRow, ConversationEventRow, ConversationRow
from bot.adapters.db.store import SqlStore
from bot.domain.conversations import (
    ConversationEvent,
    ConversationSummary,
    Entity,
    EventBatch,
    summarise,
)

_INSERTS: dict[str, Callable[..., Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


class SqlConversationLog(SqlStore):
    """A `ConversationLog` on SQLAlchemy."""

    failing = "the conversation log failed"

    def position(self, source: str) -> int:
        """How far the events of `source` are stored (0: none yet)."""
        query = select(ConsumerCursorRow.position).where(ConsumerCursorRow.source == source)
        with self._transaction() as session:
            return session.scalar(query) or 0

    def store(self, batch: EventBatch, now: datetime) -> int:
        """Keep the new events, update their summaries, move the cursor: one transaction."""
        with self._transaction() as session:
            new = _insert_new(session, batch)
            _update_summaries(session, new)
            _move_cursor(session, batch.source, batch.position, now)
            return len(new)

    def events_of(self, conversation: str) -> list[ConversationEvent]:
        """A conversation's events, in the order the broker numbered them."""
        query = (
            select(ConversationEventRow)
            .where(ConversationEventRow.conversation == conversation)
            .order_by(ConversationEventRow.source, ConversationEventRow.number)
        )
        with self._transaction() as session:
            return [event_of(row) for row in session.scalars(query)]

    def summary(self, conversation: str) -> ConversationSummary | None:
        """A conversation's summary, or None when none of its events is stored."""
        query = select(ConversationRow).where(ConversationRow.conversation == conversation)
        with self._transaction() as session:
            row = session.scalar(query)
            return _summary_of(row) if row else None


def _insert_new(session: Session, batch: EventBatch) -> list[ConversationEvent]:
    """Insert the batch's events; those that were not stored before, in order."""
    if not batch.events:
        return []
    insert = _INSERTS[session.get_bind().dialect.name](ConversationEventRow)
    statement = (
        insert.values([_values(batch.source, event) for event in batch.events])
        .on_conflict_do_nothing(index_elements=["source", "number"])
        .returning(ConversationEventRow.number)
    )
    inserted = set(session.scalars(statement))
    return [event for event in batch.events if event.number in inserted]


def _update_summaries(session: Session, events: list[ConversationEvent]) -> None:
    names = {event.conversation for event in events}
    if not names:
        return
    query = select(ConversationRow).where(ConversationRow.conversation.in_(names)).with_for_update()
    rows = {row.conversation: row for row in session.scalars(query)}
    known = {name: _summary_of(row) for name, row in rows.items()}
    for name, summary in summarise(known, events).items():
        values = _summary_values(summary)
        row = rows.get(name)
        if row is None:
            session.add(ConversationRow(**values))
        else:
            for key, value in values.items():
                setattr(row, key, value)


def _move_cursor(session: Session, source: str, position: int, now: datetime) -> None:
    query = select(ConsumerCursorRow).where(ConsumerCursorRow.source == source).with_for_update()
    row = session.scalar(query)
    if row is None:
        session.add(ConsumerCursorRow(source=source, position=position, updated_at=now))
    elif position > row.position:
        row.position, row.updated_at = position, now


def _values(source: str, event: ConversationEvent) -> dict[str, Any]:
    return {
        "source": source,
        "number": event.number,
        "conversation": event.conversation,
        "kind": event.kind,
        "at": event.at,
        "intent": event.intent,
        "confidence": event.confidence,
        "action": event.action,
        "text": event.text,
        "entities": [{"name": e.name, "value": e.value} for e in event.entities],
        "input_channel": event.input_channel,
        "details": dict(event.details),
    }


def event_of(row: ConversationEventRow) -> ConversationEvent:
    """An event as the store keeps it."""
    return ConversationEvent(
        number=row.number,
        conversation=row.conversation,
        kind=row.kind,
        at=row.at,
        intent=row.intent,
        confidence=row.confidence,
        action=row.action,
        text=row.text,
        entities=tuple(Entity(e["name"], e["value"]) for e in row.entities),
        input_channel=row.input_channel,
        details=dict(row.details),
    )


def _summary_values(summary: ConversationSummary) -> dict[str, Any]:
    return {
        "conversation": summary.conversation,
        "channel": summary.channel,
        "started_at": summary.started_at,
        "last_event_at": summary.last_event_at,
        "events": summary.events,
        "user_messages": summary.user_messages,
        "bot_messages": summary.bot_messages,
        "intents": list(summary.intents),
        "order_numbers": list(summary.order_numbers),
        "answered": summary.answered,
    }


def _summary_of(row: ConversationRow) -> ConversationSummary:
    return ConversationSummary(
        conversation=row.conversation,
        channel=row.channel,
        started_at=row.started_at,
        last_event_at=row.last_event_at,
        events=row.events,
        user_messages=row.user_messages,
        bot_messages=row.bot_messages,
        intents=tuple(row.intents),
        order_numbers=tuple(row.order_numbers),
        answered=row.answered,
    )
