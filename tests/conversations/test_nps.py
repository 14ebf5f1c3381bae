"""The NPS survey through the trained model and the whole stack (issue 17).

Each test starts with no survey in the stack's store: other conversation tests (the
bench's shoppers) say goodbye after answers too, and would count as this week's ask.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select

from bot.adapters.db.models import SurveyRow
from tests.conversations.test_journeys import verified
from tests.support.chat import Chat
from tests.support.stack import Stack

pytestmark = pytest.mark.conversation
QUESTION = "on a scale of 0 to 10, how likely are you to recommend Woodland Market"
GOODBYE = "Thanks for shopping with Woodland Market. Bye for now!"
REASON = "It told me the new date straight away."


def surveys(stack: Stack) -> list[SurveyRow]:
    engine = create_engine(stack.env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(SurveyRow)))  # type: ignore[arg-type]
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def no_surveys_yet(stack: Stack) -> Iterator[None]:
    engine = create_engine(stack.env["DATABASE_URL"])
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM nps_surveys")
    finally:
        engine.dispose()
    yield


def test_a_resolved_conversation_ends_with_the_survey_once_a_week(chat: Chat, stack: Stack) -> None:
    assert "on its way with UPS" in verified(chat, "in_transit")
    asked = chat.say("thanks, bye")
    assert QUESTION in asked and GOODBYE not in asked, asked
    assert {"title": "9", "payload": "9"} in chat.buttons()
    assert "main reason for your score" in chat.say("9")
    thanked = chat.say(REASON)
    assert "Thanks, that helps us get better." in thanked and GOODBYE in thanked
    assert REASON not in thanked  # never said back
    [row] = surveys(stack)
    assert (row.score, row.reason, row.order_number, row.channel) == (
        9,
        REASON,
        "WM-104233",
        "rest",
    )
    assert "jane.doe" not in row.shopper  # a keyed digest, not the email
    # The same shopper, in a new conversation the same week: a plain goodbye.
    again = Chat(stack.rest_url)
    assert "on its way with UPS" in verified(again, "in_transit")
    assert again.say("thanks, bye") == GOODBYE
    assert len(surveys(stack)) == 1


def test_a_score_that_is_not_one_is_asked_again_and_no_thanks_ends_it(
    chat: Chat, stack: Stack
) -> None:
    assert "on its way with UPS" in verified(chat, "in_transit")
    assert QUESTION in chat.say("bye")
    assert "I need a number from 0" in chat.say("pretty good I guess")
    assert chat.say("no thanks") == GOODBYE
    [row] = surveys(stack)
    assert (row.score, row.reason) == (None, None)


def test_no_survey_after_a_hand_off(chat: Chat, stack: Stack) -> None:
    assert "on its way with UPS" in verified(chat, "in_transit")
    assert "I've passed you to our team" in chat.say("talk to a person")
    assert chat.say("thanks, bye") == GOODBYE
    assert surveys(stack) == []


def test_a_new_question_instead_of_a_score_ends_the_survey_and_is_answered(
    chat: Chat, stack: Stack
) -> None:
    assert "on its way with UPS" in verified(chat, "in_transit")
    assert QUESTION in chat.say("bye")
    answer = chat.say("where is WM-104233 now?")
    assert "on its way with UPS" in answer and "I need a number" not in answer, answer
    [row] = surveys(stack)
    assert row.score is None
