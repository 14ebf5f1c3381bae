"""Asking for a person through the trained model: a ticket a person can work with."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine

from bot.adapters.db.tickets import SqlTicketStore
from tests.conversations.test_journeys import verified
from tests.support.chat import Chat
from tests.support.stack import Stack

pytestmark = pytest.mark.conversation


def test_talk_to_a_person_gets_a_reference_and_a_ticket_with_the_orders_status(
    chat: Chat, stack: Stack
) -> None:
    assert "WM-104233" in verified(chat, "in_transit")
    said = chat.say("talk to a person")
    found = re.search(r"HD-[A-Z0-9]{6}", said)
    assert found and "queue" in said, said
    engine = create_engine(stack.env["DATABASE_URL"])
    try:
        kept = {t.reference: t for t in SqlTicketStore.on(engine).queue(100)}
    finally:
        engine.dispose()
    ticket = kept[found[0]]
    assert (ticket.order_number, ticket.verified) == ("WM-104233", True)
    assert ticket.packet["shipments"][0]["status"] == "in_transit"
