"""The leads' read side of the conversation log: filtered lists, one conversation, reveals.

A conversation's outcome is read beside its summary: a ticket of that conversation makes
it handed off; else the assistant's answer about an order (`answered`) makes it resolved;
else it was abandoned. Its NPS is the survey asked in it. Conversations are known to
the pages by their row id, never by the sender id (on SMS that is the phone). Every
SQLAlchemy error leaves this module as `StoreUnavailable`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, and_, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from bot.adapters.db.conversations import event_of
from bot.adapters.db.models import (
    ConversationEventRow,
    ConversationRow,
    RevealRow,
    SurveyRow,
    TicketRow,
)
from bot.adapters.db.store import SqlStore
from bot.domain.conversations import ConversationEvent
from bot.domain.leads import ConversationFilter, Listed, Outcome, outcome_of


class SqlConversationReader(SqlStore):
    """A `ConversationReader` and `RevealLog` on SQLAlchemy."""

    failing = "the conversation log failed"

    def find(self, wanted: ConversationFilter, limit: int, offset: int = 0) -> list[Listed]:
        """The conversations `wanted` selects, the latest first."""
        query = _listing().where(*_conditions(wanted))
        query = query.order_by(ConversationRow.started_at.desc(), ConversationRow.id.desc())
        with self._transaction() as session:
            return [_listed(row) for row in session.execute(query.limit(limit).offset(offset))]

    def listed(self, key: int) -> Listed | None:
        """One conversation by its row id, as the list shows it."""
        query = _listing().where(ConversationRow.id == key)
        with self._transaction() as session:
            row = session.execute(query).first()
            return None if row is None else _listed(row)

    def events(self, conversation: str) -> list[ConversationEvent]:
        """A conversation's events, in the order the broker numbered them."""
        query = (
            select(ConversationEventRow)
            .where(ConversationEventRow.conversation == conversation)
            .order_by(ConversationEventRow.at, ConversationEventRow.number)
        )
        with self._transaction() as session:
            return [event_of(row) for row in session.scalars(query)]

    def record(self, conversation: str, username: str, at: datetime) -> None:
        """A lead revealed a conversation's personal data."""
        with self._transaction() as session:
            session.add(RevealRow(conversation=conversation, username=username, at=at))

    def reveals(self, conversation: str) -> list[tuple[str, datetime]]:
        """Who revealed the conversation, and when, the latest first."""
        query = (
            select(RevealRow.username, RevealRow.at)
            .where(RevealRow.conversation == conversation)
            .order_by(RevealRow.at.desc(), RevealRow.id.desc())
        )
        with self._transaction() as session:
            return [(str(name), at) for name, at in session.execute(query)]


def _listing() -> Select[Any]:
    tickets = (
        select(TicketRow.conversation, func.max(TicketRow.reference).label("reference"))
        .group_by(TicketRow.conversation)
        .subquery()
    )
    surveys = (
        select(
            SurveyRow.conversation,
            func.max(SurveyRow.score).label("score"),
            func.max(SurveyRow.reason).label("reason"),
        )
        .group_by(SurveyRow.conversation)
        .subquery()
    )
    return (
        select(ConversationRow, tickets.c.reference, surveys.c.score, surveys.c.reason)
        .outerjoin(tickets, tickets.c.conversation == ConversationRow.conversation)
        .outerjoin(surveys, surveys.c.conversation == ConversationRow.conversation)
    )


def _conditions(wanted: ConversationFilter) -> list[ColumnElement[bool]]:
    row, conditions = ConversationRow, []
    if wanted.since is not None:
        conditions.append(row.started_at >= wanted.since)
    if wanted.until is not None:
        conditions.append(row.started_at < wanted.until)
    if wanted.channel:
        conditions.append(row.channel == wanted.channel)
    if wanted.intent:
        conditions.append(cast(row.intents, Text).like(f'%"{_plain(wanted.intent)}"%'))
    if wanted.order_number:
        conditions.append(cast(row.order_numbers, Text).like(f'%"{_plain(wanted.order_number)}"%'))
    if wanted.outcome is not None:
        conditions.append(_outcome(wanted.outcome))
    if wanted.nps is not None:
        scores = wanted.nps.scores()
        score = SurveyRow.score
        conditions.append(
            row.conversation.in_(
                select(SurveyRow.conversation).where(score >= scores.start, score < scores.stop)
            )
        )
    return conditions


def _outcome(outcome: Outcome) -> ColumnElement[bool]:
    handed = ConversationRow.conversation.in_(select(TicketRow.conversation))
    if outcome is Outcome.HANDED_OFF:
        return handed
    answered = and_(
        ConversationRow.answered.is_(True), cast(ConversationRow.order_numbers, Text) != "[]"
    )
    if outcome is Outcome.RESOLVED:
        return and_(~handed, answered)
    return and_(~handed, ~answered)


def _plain(value: str) -> str:
    """A filter value with nothing LIKE or JSON would read specially."""
    return "".join(c for c in value if c.isalnum() or c in "-_/")


def _listed(row: Any) -> Listed:
    conversation: ConversationRow = row[0]
    reference, score, reason = row[1], row[2], row[3]
    return Listed(
        key=conversation.id,
        conversation=conversation.conversation,
        channel=conversation.channel,
        started_at=conversation.started_at,
        last_event_at=conversation.last_event_at,
        user_messages=conversation.user_messages,
        intents=tuple(conversation.intents),
        order_numbers=tuple(conversation.order_numbers),
        outcome=outcome_of(
            reference is not None, conversation.order_numbers, conversation.answered
        ),
        ticket=reference,
        nps_score=score,
        nps_reason=reason,
    )
