"""Not understood twice in a row: the bot stops rephrasing; inside a form it offers choices
and a person (outside one it hands off: tests/unit/test_handoff_actions.py).

A request that is not ours but has a topic (account, payment, ...) gets that
topic's redirect, and does not count as a miss.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionNotUnderstood, misunderstood_in_a_row


def user(intent: str, topic: str | None = None) -> dict[str, Any]:
    parse: dict[str, Any] = {"intent": {"name": intent}}
    if topic:
        key = f"{intent}/{topic}"
        parse["response_selector"] = {intent: {"response": {"intent_response_key": key}}}
    return {"event": "user", "text": "x", "parse_data": parse}


def bot() -> dict[str, Any]:
    return {"event": "bot", "text": "Sorry, I didn't get that."}


def tracker(*events: dict[str, Any], loop: str | None = None) -> Tracker:
    latest = next(e for e in reversed(events) if e["event"] == "user")["parse_data"]
    active = {"name": loop} if loop else {}
    return Tracker("s", {}, latest, list(events), False, None, active, "action_listen")


async def replies(*events: dict[str, Any], loop: str | None = None) -> list[str | None]:
    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(dispatcher, tracker(*events, loop=loop), {})
    return [m.get("response") for m in dispatcher.messages]


def test_misses_are_counted_back_to_the_last_message_that_was_understood() -> None:
    assert misunderstood_in_a_row(tracker(user("order_status"), bot())) == 0
    assert misunderstood_in_a_row(tracker(user("greet"), user("nlu_fallback"), bot())) == 1
    two = tracker(user("nlu_fallback"), bot(), user("nlu_fallback"), bot())
    assert misunderstood_in_a_row(two) == 2
    understood_between = tracker(user("nlu_fallback"), user("thank"), user("nlu_fallback"))
    assert misunderstood_in_a_row(understood_between) == 1


def test_out_of_scope_with_no_shop_topic_counts_as_a_miss_because_gibberish_is_read_so() -> None:
    gibberish_twice = tracker(user("out_of_scope", "other"), bot(), user("out_of_scope"), bot())
    assert misunderstood_in_a_row(gibberish_twice) == 2
    assert misunderstood_in_a_row(tracker(user("out_of_scope"), user("nlu_fallback"))) == 2
    assert misunderstood_in_a_row(tracker(user("out_of_scope"), user("faq"))) == 0


def test_a_request_with_a_topic_of_its_own_is_not_a_miss() -> None:
    assert (
        misunderstood_in_a_row(tracker(user("nlu_fallback"), user("out_of_scope", "account"))) == 0
    )


async def test_a_request_that_is_not_ours_gets_its_topics_redirect_even_after_a_miss() -> None:
    assert await replies(user("out_of_scope", "payment")) == ["utter_out_of_scope/payment"]
    after_miss = (user("nlu_fallback"), bot(), user("out_of_scope", "invoice"))
    assert await replies(*after_miss) == ["utter_out_of_scope/invoice"]


async def test_no_topic_says_what_the_bot_does_then_offers_choices_in_a_form_second_miss() -> None:
    assert await replies(user("out_of_scope", "other")) == ["utter_out_of_scope/other"]
    assert await replies(user("nlu_fallback")) == ["utter_default"]
    twice = (user("out_of_scope", "other"), bot(), user("nlu_fallback"))
    assert await replies(*twice, loop="order_lookup_form") == ["utter_offer_choices"]
