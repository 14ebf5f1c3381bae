"""Shoppers who don't write like us: the trained model, over the REST channel.

Each message here is worded unlike any training example (none occurs in data/):
a request in words we never wrote, a request after a greeting, a request that is
not ours but near it. The answer shows what the bot understood.
"""

from __future__ import annotations

import pytest

from tests.conversations.test_situations import (
    TALK_TO_A_PERSON,
    button_titles,
    by_email,
    by_zip,
    number_of,
    said,
)
from tests.nlu.test_heldout import normalise, training_texts
from tests.support.chat import Chat

REDIRECTS = {
    "my login keeps failing even after resetting the password twice": "account",
    "the bank declined my mastercard at checkout, what now": "payment",
    "our accounts team needs a proper invoice showing your VAT number": "invoice",
    "pls take me off ur marketing emails, too many of them": "promotions",
    "is the down sleeping bag warm enough for minus ten": "products",
    "your checkout page is really confusing, just saying": "feedback",
    "do you have a shop in Portland I could visit": "company",
    "can you write my history homework": "other",
}
PERSON_CAN_HELP = {"account", "payment", "invoice", "feedback"}


def test_none_of_these_messages_is_a_training_example() -> None:
    written = [*REDIRECTS, *REFUND_WORDS, *GREETED]
    assert [m for m in written if normalise(m) in training_texts()] == []


@pytest.mark.parametrize("message", list(REDIRECTS))
def test_a_request_that_is_not_ours_gets_the_redirect_of_its_topic(
    chat: Chat, message: str
) -> None:
    topic = REDIRECTS[message]
    assert chat.say(message) == said(f"utter_out_of_scope/{topic}")
    assert (TALK_TO_A_PERSON in button_titles(chat)) == (topic in PERSON_CAN_HELP)


def test_redirects_are_not_misses_but_nonsense_after_one_is(chat: Chat) -> None:
    chat.say("my login keeps failing even after resetting the password twice")
    assert chat.say("the bank declined my mastercard at checkout, what now") == said(
        "utter_out_of_scope/payment"
    )
    assert chat.say("can you write my history homework") == said("utter_out_of_scope/other")
    assert "I've passed you to our team" in chat.say("qwpoe zxmnv lkjasd")


REFUND_WORDS = (
    "i expect reimbursement for this order",
    "I would like restitution for this order",
)


@pytest.mark.parametrize("opener", REFUND_WORDS)
def test_money_back_in_words_we_never_wrote_is_a_refund_request(chat: Chat, opener: str) -> None:
    number = number_of("processing")
    answer = by_zip(chat, opener, number)
    assert said("utter_refund_by_cancelling", order_number=number) in answer.splitlines()
    assert chat.say("no") == said("utter_request_dropped")


GREETED = ("Hi there, the parcel came today and the lantern inside is smashed",)


def test_a_greeting_before_a_damage_report_is_not_taken_for_a_greeting(chat: Chat) -> None:
    number = number_of("damaged_on_arrival")
    answer = by_email(chat, GREETED[0], number)
    verdict = said("utter_verdict_damaged", claim_until="Tuesday, December 1", threshold_days="14")
    assert verdict in answer.splitlines()
    assert chat.say("no") == said("utter_request_dropped")
