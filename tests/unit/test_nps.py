"""The NPS survey's rule, how answers are read, the score, and the survey service."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.access import Client, Level
from bot.domain.clock import Clock
from bot.domain.nps import (
    REASON_MAX_CHARS,
    declines,
    may_ask,
    net_promoter_score,
    read_reason,
    read_score,
)
from bot.services.surveys import Surveys
from tests.unit.builders import NOW, FakeOrders, grant, make_access, order
from tests.unit.fake_surveys import FakeSurveyStore, make_surveys

WIDGET = Client("socketio", "widget-1", "session-1", "127.0.0.1")
PHONE = Client("twilio", "+14155550134", "+14155550134", phone="+14155550134")


def test_a_resolved_conversation_of_a_shopper_never_asked_may_be_asked() -> None:
    assert may_ask(resolved=True, person_involved=False, last_asked=None, now=NOW)


def test_no_survey_when_the_bot_did_not_resolve_it_or_a_person_was_involved() -> None:
    assert not may_ask(resolved=False, person_involved=False, last_asked=None, now=NOW)
    assert not may_ask(resolved=True, person_involved=True, last_asked=None, now=NOW)


def test_a_shopper_is_asked_at_most_once_a_week() -> None:
    almost = NOW - timedelta(days=7) + timedelta(minutes=1)
    assert not may_ask(resolved=True, person_involved=False, last_asked=almost, now=NOW)
    week = NOW - timedelta(days=7)
    assert may_ask(resolved=True, person_involved=False, last_asked=week, now=NOW)


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("8", 8),
        (" 10 ", 10),
        ("0", 0),
        ("8/10", 8),
        ("9 out of 10", 9),
        ("10/10!", 10),
        ("eight", 8),
        ("Zero", 0),
        ("I'd give it a 9", 9),
    ],
)
def test_a_score_is_read_from_a_short_answer(text: str, score: int) -> None:
    assert read_score(text) == score


@pytest.mark.parametrize(
    "text",
    ["11", "-1", "7.5", "", "great service", "8 or 9", "WM-104233", "100", "1 2 3"],
)
def test_anything_but_one_whole_number_from_0_to_10_is_not_a_score(text: str) -> None:
    assert read_score(text) is None


def test_a_no_in_any_words_or_marks_declines() -> None:
    assert all(declines(t) for t in ("no", "No thanks!", "nope", "Skip", "I'd rather not"))
    assert not declines("no idea why, it was slow")


def test_a_reason_is_kept_as_typed_cut_to_its_limit_and_skip_gives_none() -> None:
    assert read_reason("  Quick, and it told me why.  ") == "Quick, and it told me why."
    assert read_reason("skip") is None and read_reason("  ") is None
    assert read_reason("x" * 5000) == "x" * REASON_MAX_CHARS


def test_the_net_promoter_score_is_promoters_minus_detractors_in_percent() -> None:
    assert net_promoter_score([10, 9, 8, 7, 6, 0]) == 0.0
    assert net_promoter_score([10, 10, 9, 0]) == 50.0
    assert net_promoter_score([6]) == -100.0
    assert net_promoter_score([7, 8]) == 0.0
    assert net_promoter_score([9, 9, 5]) == 33.3
    assert net_promoter_score([]) is None


@pytest.fixture
def store() -> FakeSurveyStore:
    return FakeSurveyStore()


@pytest.fixture
def surveys(store: FakeSurveyStore) -> Surveys:
    orders = FakeOrders([order(), order("WM-100001", email="sam@example.com")])
    return make_surveys(make_access(orders), Clock(NOW), store)


def test_the_shopper_is_the_proven_orders_email_on_any_channel(surveys: Surveys) -> None:
    grant(surveys.access, "WM-104233", client=WIDGET)
    grant(surveys.access, "WM-104233", client=PHONE)
    assert surveys.ask(WIDGET, "WM-104233", person_involved=False)
    assert not surveys.ask(PHONE, "WM-104233", person_involved=False)
    assert surveys.shopper(WIDGET, "WM-104233") == surveys.shopper(PHONE, "WM-104233")


def test_without_a_proven_order_the_shopper_is_the_channels_client(surveys: Surveys) -> None:
    grant(surveys.access, "WM-104233", Level.PARCEL, client=WIDGET)  # a parcel, not the order
    grant(surveys.access, "WM-104233", client=PHONE)
    assert surveys.shopper(WIDGET, "WM-104233") != surveys.shopper(PHONE, "WM-104233")
    assert surveys.shopper(WIDGET, "WM-104233") == surveys.shopper(WIDGET, None)
    other = Client("socketio", "widget-2", "session-2")
    assert surveys.shopper(other, None) != surveys.shopper(WIDGET, None)


def test_a_conversation_is_not_asked_twice_whoever_it_proves_to_be(surveys: Surveys) -> None:
    assert surveys.ask(WIDGET, "WM-104233", person_involved=False)  # not proven: the client
    grant(surveys.access, "WM-100001", client=WIDGET)
    assert not surveys.ask(WIDGET, "WM-100001", person_involved=False)


def test_no_ask_is_recorded_when_none_is_due(surveys: Surveys, store: FakeSurveyStore) -> None:
    assert not surveys.ask(WIDGET, None, person_involved=False)
    assert not surveys.ask(WIDGET, "WM-104233", person_involved=True)
    assert store.kept == []


def test_the_score_then_the_reason_are_recorded_once(
    surveys: Surveys, store: FakeSurveyStore
) -> None:
    assert not surveys.score(WIDGET, 9)  # nothing asked yet
    surveys.asked(WIDGET, "WM-104233")
    assert not surveys.reason(WIDGET, "fast")  # no score yet
    assert surveys.score(WIDGET, 9) and not surveys.score(WIDGET, 3)
    assert not surveys.reason(WIDGET, "skip")
    assert surveys.reason(WIDGET, "Fast and clear") and not surveys.reason(WIDGET, "again")
    kept = store.kept[0]
    assert (kept.score, kept.reason, kept.answered_at, kept.order_number) == (
        9,
        "Fast and clear",
        NOW,
        "WM-104233",
    )
    assert surveys.net_promoter(NOW, NOW + timedelta(days=1)) == 100.0
    assert surveys.net_promoter(NOW + timedelta(days=1), NOW + timedelta(days=2)) is None
