"""The leads' trends in the order store: what status answers told, and the period's tallies.

Every count is grouped in the database (GROUP BY the hour a conversation began, its
channel, how it ended): a period of 100,000 conversations comes back as a few thousand
rows. Conversations are found through the index on `last_event_at` (one that began in
the period moved last in it or later), told parcels through theirs on `at`. Only the
date accuracy reads rows one by one: each estimate told of a parcel delivered since,
with the delivered scan's time from the parcel's tracking snapshot. Every SQLAlchemy
error leaves this module as `StoreUnavailable`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, Text, and_, case, cast, distinct, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.adapters.db.models import (
    ClaimRow,
    ConversationRow,
    SurveyRow,
    TicketRow,
    ToldParcelRow,
    TrackingSnapshotRow,
)
from bot.adapters.db.store import SqlStore
from bot.domain.leads import outcome_of
from bot.domain.shipments import ShipmentStatus
from bot.domain.trends import (
    DELAYED,
    NOT_SAID,
    ON_TIME,
    WISMO_INTENTS,
    ConversationTally,
    EstimateCheck,
    ScoreTally,
    ToldParcel,
    TrendInputs,
)


class SqlTrends(SqlStore):
    """A `TrendSource` and `AnswerLog` on SQLAlchemy."""

    failing = "the trends store failed"

    def record(self, told: Sequence[ToldParcel]) -> None:
        """Keep what one answer told of its parcels."""
        if not told:
            return
        with self._transaction() as session:
            session.add_all(_told_row(parcel) for parcel in told)

    def gather(self, since: datetime, until: datetime) -> TrendInputs:
        """The tallies of the period [since, until)."""
        with self._transaction() as session:
            dialect = session.get_bind().dialect.name
            return TrendInputs(
                since=since,
                until=until,
                conversations=tuple(_conversations(session, dialect, since, until)),
                handoffs=tuple(_handoffs(session, since, until)),
                scores=tuple(_scores(session, dialect, since, until)),
                delays=tuple(_delays(session, since, until)),
                claims=tuple(_claims(session, since, until)),
                estimates=tuple(_estimates(session, since, until)),
            )


def _told_row(parcel: ToldParcel) -> ToldParcelRow:
    return ToldParcelRow(
        conversation=parcel.conversation,
        at=parcel.at,
        order_number=parcel.order_number,
        carrier=parcel.carrier,
        tracking_number=parcel.tracking_number,
        situation=parcel.situation.value,
        cause=parcel.cause,
        estimate=parcel.estimate,
    )


def _hour(column: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC hour a time falls in (text on SQLite, a naive timestamp on PostgreSQL)."""
    if dialect == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d %H:00:00", column)


def _hour_value(value: str | datetime) -> datetime:
    hour = datetime.fromisoformat(value) if isinstance(value, str) else value
    return hour.replace(tzinfo=UTC) if hour.tzinfo is None else hour.astimezone(UTC)


def _wismo() -> ColumnElement[bool]:
    """The conversation's intents include a WISMO one (a JSON list, read as text)."""
    intents = cast(ConversationRow.intents, Text)
    return or_(*(intents.like(f'%"{intent}"%') for intent in sorted(WISMO_INTENTS)))


def _preventable(since: datetime) -> Select[Any]:
    """Conversations whose every parcel told of (since `since`) was on time."""
    late = case((ToldParcelRow.situation.in_([s.value for s in ON_TIME]), 0), else_=1)
    return (
        select(ToldParcelRow.conversation)
        .where(ToldParcelRow.at >= since)
        .group_by(ToldParcelRow.conversation)
        .having(func.sum(late) == 0)
    )


def _conversations(
    session: Session, dialect: str, since: datetime, until: datetime
) -> Iterable[ConversationTally]:
    row = ConversationRow
    hour = _hour(row.started_at, dialect).label("hour")
    handed = row.conversation.in_(select(TicketRow.conversation))
    answered = and_(row.answered.is_(True), cast(row.order_numbers, Text) != "[]")
    query = (
        select(
            hour,
            row.channel,
            case((handed, 1), else_=0).label("is_handed"),
            case((answered, 1), else_=0).label("is_answered"),
            case((row.conversation.in_(_preventable(since)), 1), else_=0).label("is_preventable"),
            func.count().label("n"),
        )
        .where(row.last_event_at >= since, row.started_at >= since, row.started_at < until)
        .where(_wismo())
        .group_by(hour, row.channel, "is_handed", "is_answered", "is_preventable")
    )
    for found in session.execute(query):
        # `is_answered` holds the order check outcome_of makes of the order numbers.
        orders = ("answered",) if found.is_answered else ()
        outcome = outcome_of(bool(found.is_handed), orders, bool(found.is_answered))
        yield ConversationTally(
            _hour_value(found.hour), found.channel, outcome, bool(found.is_preventable), found.n
        )


def _handoffs(session: Session, since: datetime, until: datetime) -> Iterable[tuple[str, int]]:
    """The tickets of the conversations begun in the period (as containment counts them),
    by why."""
    row = ConversationRow
    query = (
        select(TicketRow.trigger, func.count())
        .join(row, row.conversation == TicketRow.conversation)
        .where(row.last_event_at >= since, row.started_at >= since, row.started_at < until)
        .group_by(TicketRow.trigger)
    )
    for trigger, count in session.execute(query):
        yield trigger.value, count


def _scores(
    session: Session, dialect: str, since: datetime, until: datetime
) -> Iterable[ScoreTally]:
    hour = _hour(SurveyRow.answered_at, dialect).label("hour")
    query = (
        select(hour, SurveyRow.score, func.count())
        .where(SurveyRow.answered_at >= since, SurveyRow.answered_at < until)
        .where(SurveyRow.score.is_not(None))
        .group_by(hour, SurveyRow.score)
    )
    for found_hour, score, count in session.execute(query):
        yield ScoreTally(_hour_value(found_hour), score, count)


def _delays(session: Session, since: datetime, until: datetime) -> Iterable[tuple[str, str, int]]:
    told = ToldParcelRow
    cause = func.coalesce(told.cause, NOT_SAID).label("cause")
    query = (
        select(told.carrier, cause, func.count(distinct(told.tracking_number)))
        .where(told.at >= since, told.at < until)
        .where(told.situation.in_([s.value for s in DELAYED]))
        .group_by(told.carrier, cause)
    )
    for carrier, found_cause, parcels in session.execute(query):
        yield str(carrier), str(found_cause), int(parcels)


def _claims(session: Session, since: datetime, until: datetime) -> Iterable[tuple[str, str, int]]:
    query = (
        select(ClaimRow.type, ClaimRow.state, func.count())
        .where(ClaimRow.opened_at >= since, ClaimRow.opened_at < until)
        .group_by(ClaimRow.type, ClaimRow.state)
    )
    for kind, state, count in session.execute(query):
        yield kind.value, state.value, count


def _estimates(session: Session, since: datetime, until: datetime) -> Iterable[EstimateCheck]:
    """Each day told of a parcel (once per parcel and day), with its delivered scan."""
    told = (
        select(ToldParcelRow.carrier, ToldParcelRow.tracking_number, ToldParcelRow.estimate)
        .where(ToldParcelRow.at >= since, ToldParcelRow.at < until)
        .where(ToldParcelRow.estimate.is_not(None))
        .distinct()
        .subquery()
    )
    snapshot = TrackingSnapshotRow
    query = select(told.c.carrier, told.c.estimate, snapshot.events).join(
        snapshot,
        and_(
            snapshot.carrier == told.c.carrier,
            snapshot.tracking_number == told.c.tracking_number,
            snapshot.status == ShipmentStatus.DELIVERED,
        ),
    )
    for carrier, estimate, events in session.execute(query):
        delivered = _delivered_on(events)
        if delivered is not None:
            yield EstimateCheck(carrier, estimate, delivered)


def _delivered_on(events: list[dict[str, Any]]) -> date | None:
    """The local day of a tracking's last delivered scan (its time keeps its offset)."""
    days = [
        datetime.fromisoformat(event["time"]).date()
        for event in events
        if event.get("status") == ShipmentStatus.DELIVERED.value and event.get("time")
    ]
    return max(days, default=None)
