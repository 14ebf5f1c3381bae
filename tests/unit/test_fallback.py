"""Not understood twice in a row: the bot stops rephrasing and offers choices and a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.fallback import misunderstood_in_a_row


def user(intent: str) -> dict[str, Any]:
    return {"event": "user", "text": "x", "parse_data": {"intent": {"name": intent}}}


def bot() -> dict[str, Any]:
    return {"event": "bot", "text": "Sorry, I didn't get that."}


def tracker(*events: dict[str, Any]) -> Tracker:
    return Tracker("s", {}, {}, list(events), False, None, {}, "action_listen")


def test_misses_are_counted_back_to_the_last_message_that_was_understood() -> None:
    assert misunderstood_in_a_row(tracker(user("order_status"), bot())) == 0
    assert misunderstood_in_a_row(tracker(user("greet"), user("nlu_fallback"), bot())) == 1
    two = tracker(user("nlu_fallback"), bot(), user("nlu_fallback"), bot())
    assert misunderstood_in_a_row(two) == 2
    understood_between = tracker(user("nlu_fallback"), user("thank"), user("nlu_fallback"))
    assert misunderstood_in_a_row(understood_between) == 1


def test_out_of_scope_counts_as_a_miss_because_gibberish_is_often_read_so() -> None:
    gibberish_twice = tracker(user("out_of_scope"), bot(), user("out_of_scope"), bot())
    assert misunderstood_in_a_row(gibberish_twice) == 2
    assert misunderstood_in_a_row(tracker(user("out_of_scope"), user("nlu_fallback"))) == 2
    assert misunderstood_in_a_row(tracker(user("out_of_scope"), user("faq"))) == 0
