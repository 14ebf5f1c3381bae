"""Asking for a person through the trained model: a ticket a person can work with.

Each way a shopper reaches a person files a ticket that says why (the console shows
it to the team): asked, a second frustrated message, a lockout then the offered
button, a policy answer that needs a person then its button. Two messages not
understood in a row: tests/conversations/test_situations.py.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine

from bot.adapters.db.tickets import SqlTicketStore
from bot.demo import SCENARIOS
from bot.domain.tickets import Ticket, Trigger
from tests.conversations.test_journeys import email_of, verified
from tests.conversations.test_situations import HAND_OFF, by_zip, said
from tests.support.chat import Chat
from tests.support.stack import Stack

pytestmark = pytest.mark.conversation
REFERENCE = re.compile(r"\bHD-[A-Z0-9]{6}\b")
PERSON_BUTTON = {"title": "Talk to a person", "payload": "/request_human"}


def ticket_told(stack: Stack, said: str) -> Ticket:
    """The stored ticket whose reference the shopper was told in `said`."""
    found = REFERENCE.search(said)
    assert found and "I've passed you to our team" in said, said
    engine = create_engine(stack.env["DATABASE_URL"])
    try:
        ticket = SqlTicketStore.on(engine).by_reference(found[0])
    finally:
        engine.dispose()
    assert ticket is not None, found[0]
    return ticket


def test_talk_to_a_person_gets_a_reference_and_a_ticket_with_the_orders_status(
    chat: Chat, stack: Stack
) -> None:
    assert "WM-104233" in verified(chat, "in_transit")
    said = chat.say("talk to a person")
    assert "queue" in said, said
    ticket = ticket_told(stack, said)
    assert (ticket.order_number, ticket.verified, ticket.trigger) == (
        "WM-104233",
        True,
        Trigger.ASKED,
    )
    assert ticket.packet["shipments"][0]["status"] == "in_transit"


def test_a_second_frustrated_message_hands_off_after_the_first_offered_a_person(
    chat: Chat, stack: Stack
) -> None:
    assert chat.say("this is so frustrating") == said("utter_frustrated")
    assert PERSON_BUTTON in chat.buttons()
    ticket = ticket_told(stack, chat.say("this is ridiculous, I'm really annoyed now"))
    assert (ticket.trigger, ticket.verified, ticket.order_number) == (
        Trigger.FRUSTRATED,
        False,
        None,
    )


def test_a_lockout_files_nothing_until_the_shopper_taps_talk_to_a_person(
    chat: Chat, stack: Stack
) -> None:
    number = SCENARIOS["in_transit"]
    chat.say(f"where is {number}")
    chat.say("mallory@example.com")
    chat.say(number)
    chat.say("10001")
    chat.say(number)
    locked = chat.say("eve@example.net")
    assert "couldn't verify those details" in locked and not REFERENCE.search(locked)
    assert PERSON_BUTTON in chat.buttons()
    ticket = ticket_told(stack, chat.say(PERSON_BUTTON["payload"]))
    assert (ticket.trigger, ticket.verified, ticket.order_number) == (
        Trigger.LOCKED_OUT,
        False,
        None,
    )
    assert email_of("in_transit") not in str(ticket.packet)


def test_an_answer_that_needs_a_person_then_the_button_files_a_policy_ticket(
    chat: Chat, stack: Stack
) -> None:
    number = SCENARIOS["on_hold"]
    assert HAND_OFF in by_zip(chat, "where is my order?", number).splitlines()
    assert PERSON_BUTTON in chat.buttons()
    ticket = ticket_told(stack, chat.say(PERSON_BUTTON["payload"]))
    assert (ticket.trigger, ticket.verified, ticket.order_number) == (
        Trigger.POLICY,
        True,
        number,
    )
    assert ticket.packet["order_status"] == "on_hold"
