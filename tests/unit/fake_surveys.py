"""An in-memory SurveyStore, and the survey service over fakes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.domain.clock import Clock
from bot.domain.nps import Survey
from bot.services.access import Access, keyed_digest
from bot.services.surveys import Surveys


@dataclass
class FakeSurveyStore:
    """An in-memory SurveyStore."""

    kept: list[Survey] = field(default_factory=list)

    def add(self, survey: Survey) -> Survey:
        kept = replace(survey, id=len(self.kept) + 1)
        self.kept.append(kept)
        return kept

    def last_asked(self, shopper: str, channel: str, conversation: str) -> datetime | None:
        times = [
            s.asked_at
            for s in self.kept
            if s.shopper == shopper or (s.channel, s.conversation) == (channel, conversation)
        ]
        return max(times, default=None)

    def answer_score(self, survey_id: int, score: int, now: datetime) -> bool:
        survey = self.kept[survey_id - 1]
        if survey.score is not None:
            return False
        self.kept[survey_id - 1] = replace(survey, score=score, answered_at=now)
        return True

    def answer_reason(self, survey_id: int, reason: str) -> bool:
        survey = self.kept[survey_id - 1]
        if survey.score is None or survey.reason is not None:
            return False
        self.kept[survey_id - 1] = replace(survey, reason=reason)
        return True

    def open_for(self, channel: str, conversation: str) -> Survey | None:
        mine = [s for s in self.kept if (s.channel, s.conversation) == (channel, conversation)]
        latest = mine[-1] if mine else None
        return latest if latest is not None and latest.reason is None else None

    def scores(self, since: datetime, until: datetime) -> list[int]:
        return [
            s.score
            for s in self.kept
            if s.score is not None and s.answered_at and since <= s.answered_at < until
        ]


def make_surveys(access: Access, clock: Clock, store: FakeSurveyStore | None = None) -> Surveys:
    """The survey service over an in-memory store, at `clock`'s time."""
    return Surveys(store or FakeSurveyStore(), access, keyed_digest(b"test-surveys"), clock)
