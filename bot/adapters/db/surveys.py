"""NPS surveys in the order store: a `SurveyStore`.

An answer is recorded by an UPDATE ... WHERE the survey is still waiting for it, so a
retried turn never overwrites a score or a reason. Every SQLAlchemy error leaves this
module as `StoreUnavailable`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update

from bot.adapters.db.models import SurveyRow
from bot.adapters.db.store import SqlStore
from bot.domain.nps import Survey


class SqlSurveyStore(SqlStore):
    """A `SurveyStore` on SQLAlchemy."""

    failing = "the survey store failed"

    def add(self, survey: Survey) -> Survey:
        """Keep a survey just asked; it, with its id."""
        row = SurveyRow(
            shopper=survey.shopper,
            channel=survey.channel,
            conversation=survey.conversation,
            order_number=survey.order_number,
            asked_at=survey.asked_at,
            score=survey.score,
            reason=survey.reason,
            answered_at=survey.answered_at,
        )
        with self._transaction() as session:
            session.add(row)
            session.flush()
            return _survey_of(row)

    def last_asked(self, shopper: str, channel: str, conversation: str) -> datetime | None:
        """When this shopper, or this conversation, was last asked; None if never."""
        same = or_(
            SurveyRow.shopper == shopper,
            (SurveyRow.channel == channel) & (SurveyRow.conversation == conversation),
        )
        # The latest row's own time (a MAX() would come back untyped, naive, on SQLite).
        query = select(SurveyRow.asked_at).where(same).order_by(SurveyRow.asked_at.desc())
        with self._transaction() as session:
            return session.scalars(query.limit(1)).first()

    def answer_score(self, survey_id: int, score: int, now: datetime) -> bool:
        """Record the score of a survey not yet scored; True if it was recorded."""
        query = (
            update(SurveyRow)
            .where(SurveyRow.id == survey_id, SurveyRow.score.is_(None))
            .values(score=score, answered_at=now)
        )
        with self._transaction() as session:
            return bool(session.execute(query).rowcount == 1)  # type: ignore[attr-defined]

    def answer_reason(self, survey_id: int, reason: str) -> bool:
        """Record the reason of a scored survey; True if it was recorded."""
        query = (
            update(SurveyRow)
            .where(
                SurveyRow.id == survey_id,
                SurveyRow.score.is_not(None),
                SurveyRow.reason.is_(None),
            )
            .values(reason=reason)
        )
        with self._transaction() as session:
            return bool(session.execute(query).rowcount == 1)  # type: ignore[attr-defined]

    def open_for(self, channel: str, conversation: str) -> Survey | None:
        """The conversation's latest survey, if it is still waiting for its score or reason."""
        query = (
            select(SurveyRow)
            .where(SurveyRow.channel == channel, SurveyRow.conversation == conversation)
            .order_by(SurveyRow.asked_at.desc(), SurveyRow.id.desc())
            .limit(1)
        )
        with self._transaction() as session:
            row = session.scalars(query).first()
            if row is None or row.reason is not None:
                return None
            return _survey_of(row)

    def scores(self, since: datetime, until: datetime) -> list[int]:
        """The scores answered in [since, until)."""
        query = select(SurveyRow.score).where(
            SurveyRow.score.is_not(None),
            SurveyRow.answered_at >= since,
            SurveyRow.answered_at < until,
        )
        with self._transaction() as session:
            return [int(score) for score in session.scalars(query) if score is not None]


def _survey_of(row: SurveyRow) -> Survey:
    return Survey(
        id=row.id,
        shopper=row.shopper,
        channel=row.channel,
        conversation=row.conversation,
        order_number=row.order_number,
        asked_at=row.asked_at,
        score=row.score,
        reason=row.reason,
        answered_at=row.answered_at,
    )
