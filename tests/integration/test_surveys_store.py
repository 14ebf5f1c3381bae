"""NPS surveys in the real order store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.adapters.db.surveys import SqlSurveyStore
from bot.domain.nps import Survey

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


def survey(shopper: str, conversation: str, days_ago: float = 0) -> Survey:
    return Survey(
        shopper=shopper,
        channel="twilio",
        conversation=conversation,
        order_number="WM-104233",
        asked_at=NOW - timedelta(days=days_ago),
    )


def test_the_last_ask_is_found_by_shopper_or_by_conversation(store_engine: Engine) -> None:
    store = SqlSurveyStore.on(store_engine)
    assert store.last_asked("a" * 64, "twilio", "+14155550134") is None
    store.add(survey("a" * 64, "+14155550134", days_ago=9))
    store.add(survey("a" * 64, "+14155550199", days_ago=2))
    store.add(survey("b" * 64, "+14155550134", days_ago=1))
    assert store.last_asked("a" * 64, "socketio", "widget-1") == NOW - timedelta(days=2)
    assert store.last_asked("c" * 64, "twilio", "+14155550134") == NOW - timedelta(days=1)
    assert store.last_asked("c" * 64, "socketio", "+14155550134") is None


def test_a_score_and_a_reason_are_recorded_once_each(store_engine: Engine) -> None:
    store = SqlSurveyStore.on(store_engine)
    kept = store.add(survey("a" * 64, "+14155550134"))
    assert kept.id is not None and store.open_for("twilio", "+14155550134") == kept
    assert not store.answer_reason(kept.id, "too early")  # no score yet
    assert store.answer_score(kept.id, 9, NOW) and not store.answer_score(kept.id, 2, NOW)
    reason = "Quick, clear; it didn't make me call. ✓ 😀"
    assert store.answer_reason(kept.id, reason) and not store.answer_reason(kept.id, "again")
    assert store.open_for("twilio", "+14155550134") is None  # answered in full
    assert store.scores(NOW, NOW + timedelta(seconds=1)) == [9]
    assert store.scores(NOW - timedelta(days=1), NOW) == []


def test_the_latest_survey_of_a_conversation_is_the_open_one(store_engine: Engine) -> None:
    store = SqlSurveyStore.on(store_engine)
    old = store.add(survey("a" * 64, "+14155550134", days_ago=8))
    assert old.id is not None and store.answer_score(old.id, 3, NOW - timedelta(days=8))
    new = store.add(survey("a" * 64, "+14155550134"))
    found = store.open_for("twilio", "+14155550134")
    assert found == new and found.asked_at == NOW and found.score is None
