"""The demo's seeded conversations in the order store: found, counted, and moved back
in time (`wismo seed`, bot/demo/seed.py).

Rasa stamps every event with the real time, so conversations driven now all fall on
today; `shift` moves each seeded conversation back by its own offset, in every table
that keeps a time of it. Only the conversations named are touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.adapters.db.models import (
    ConversationEventRow,
    ConversationRow,
    SurveyRow,
    TicketRow,
    ToldParcelRow,
)
from bot.adapters.db.store import SqlStore

# Each table that keeps times of a conversation: its row type and those time columns.
# (Claims and check-backs have no conversation; the seed opens none.)
TIMED: tuple[tuple[type[Any], tuple[str, ...]], ...] = (
    (ConversationEventRow, ("at",)),
    (ConversationRow, ("started_at", "last_event_at")),
    (TicketRow, ("created_at", "taken_at", "closed_at", "overdue_at")),
    (SurveyRow, ("asked_at", "answered_at")),
    (ToldParcelRow, ("at",)),
)


class SqlSeededConversations(SqlStore):
    """The conversation log and the tables beside it, as the demo's seed sees them."""

    failing = "the order store failed (seeded conversations)"

    def any_named(self, prefix: str) -> bool:
        """Whether the log holds a conversation whose sender id starts with `prefix`."""
        query = select(ConversationRow.id).where(ConversationRow.conversation.startswith(prefix))
        with self._transaction() as session:
            return session.scalars(query.limit(1)).first() is not None

    def known(self, conversations: Iterable[str]) -> set[str]:
        """Those of `conversations` that any table of `TIMED` mentions already."""
        wanted, found = list(conversations), set()
        with self._transaction() as session:
            for row, _ in TIMED:
                column = _conversation(row)
                found |= set(session.scalars(select(column).where(column.in_(wanted))))
        return found

    def messages(self, conversations: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(shopper's messages, events) the log holds of each of `conversations`."""
        query = select(
            ConversationRow.conversation, ConversationRow.user_messages, ConversationRow.events
        ).where(ConversationRow.conversation.in_(list(conversations)))
        with self._transaction() as session:
            return {name: (users, events) for name, users, events in session.execute(query)}

    def open_tickets(self, conversations: Iterable[str]) -> list[str]:
        """References of the tickets of `conversations` that are not closed."""
        query = select(TicketRow.reference).where(
            TicketRow.conversation.in_(list(conversations)), TicketRow.closed_at.is_(None)
        )
        with self._transaction() as session:
            return list(session.scalars(query.order_by(TicketRow.id)))

    def shift(self, offsets: Mapping[str, timedelta]) -> int:
        """Move every time of each conversation back by its offset, in one transaction;
        how many rows changed."""
        moved = 0
        with self._transaction() as session:
            for row, columns in TIMED:
                moved += _shift_table(session, row, columns, offsets)
        return moved


def _conversation(row: type[Any]) -> InstrumentedAttribute[str]:
    column: InstrumentedAttribute[str] = row.conversation
    return column


def _shift_table(
    session: Session, row: type[Any], columns: tuple[str, ...], offsets: Mapping[str, timedelta]
) -> int:
    attributes = [getattr(row, name) for name in columns]
    query = select(row.id, row.conversation, *attributes).where(row.conversation.in_(list(offsets)))
    moved = 0
    for found in session.execute(query).all():
        back = offsets[found[1]]
        values = {
            name: value - back
            for name, value in zip(columns, found[2:], strict=True)
            if value is not None
        }
        if values:
            session.execute(update(row).where(row.id == found[0]).values(**values))
            moved += 1
    return moved
