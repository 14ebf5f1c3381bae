"""The hand-off in the conversation: each reason leads to one ticket and a true answer."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.clients
import actions.handoff
import actions.status
from actions.fallback import ActionNotUnderstood
from actions.handoff import ActionConsoleEvent, ActionFrustrated
from actions.status import ActionHandOff, ActionOrderStatus
from bot.adapters.rasa_conversations import console_token
from bot.bootstrap import Services
from bot.channels.identity import IDENTITY_KEY, ClientIdentity, seal
from bot.config import Settings
from bot.domain.clock import Clock
from bot.domain.tickets import ConsoleEvent, Ticket, Trigger
from tests.unit.builders import (
    NOW,
    FakeCarrier,
    FakeOrders,
    order,
    tracking,
)
from tests.unit.domain_responses import responses, shown
from tests.unit.fake_tickets import FakeTickets
from tests.unit.wiring import wire_actions

SECRET = b"test-secret-of-the-deployment"
DOMAIN: dict[str, Any] = {"responses": responses(), "slots": {}, "forms": {}}
SENDER = "web-1"


@pytest.fixture
def tickets() -> FakeTickets:
    return FakeTickets()


@pytest.fixture(autouse=True)
def services(monkeypatch: pytest.MonkeyPatch, tickets: FakeTickets) -> Services:
    carrier = FakeCarrier({"1Z999AA10123456784": tracking()})
    return wire_actions(monkeypatch, FakeOrders([order()]), carrier, SECRET, tickets=tickets)


def tracker(intent: str, *earlier: dict[str, Any], **slots: Any) -> Tracker:
    who = ClientIdentity("rest", SENDER, "session-1")
    return Tracker.from_dict(
        {
            "sender_id": SENDER,
            "slots": {"locked_out": False, **slots},
            "latest_message": {
                "text": "...",
                "intent": {"name": intent},
                "entities": [],
                "metadata": {IDENTITY_KEY: seal(who, SECRET)},
            },
            "events": [
                *earlier,
                {"event": "user", "text": "...", "parse_data": {"intent": {"name": intent}}},
            ],
        }
    )


async def run(action: Any, t: Tracker) -> tuple[dict[str, Any], str]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return slots, " / ".join(shown(m) for m in dispatcher.messages)


async def test_asking_for_a_person_stores_a_ticket_and_tells_the_reference_and_place(
    tickets: FakeTickets,
) -> None:
    said_before = {"event": "bot", "text": "Your order is on its way."}
    slots, said = await run(ActionHandOff(), tracker("request_human", said_before))
    assert "HD-000001" in said and "first in the queue" in said
    assert "Monday to Friday" not in said  # the old promise, told whatever the queue
    assert [(t.trigger, t.packet["told"]) for t in tickets.kept] == [
        (Trigger.ASKED, ["Your order is on its way."])
    ]
    _, again = await run(ActionHandOff(), tracker("request_human", **slots))
    assert "HD-000001" in again and len(tickets.kept) == 1


async def test_the_first_frustrated_message_offers_a_person_and_the_second_hands_off(
    tickets: FakeTickets,
) -> None:
    slots, said = await run(ActionFrustrated(), tracker("frustrated"))
    assert "connect you with a person" in said and tickets.kept == []
    _, said = await run(ActionFrustrated(), tracker("frustrated", **slots))
    assert "HD-000001" in said
    assert [t.trigger for t in tickets.kept] == [Trigger.FRUSTRATED]


async def test_the_second_message_in_a_row_not_understood_hands_off(tickets: FakeTickets) -> None:
    miss = {"event": "user", "text": "zzz", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    _, said = await run(ActionNotUnderstood(), tracker("nlu_fallback"))
    assert tickets.kept == []
    _, said = await run(ActionNotUnderstood(), tracker("nlu_fallback", miss))
    assert "HD-000001" in said
    assert [t.trigger for t in tickets.kept] == [Trigger.NOT_UNDERSTOOD]


async def test_a_lockout_offers_a_person_once_and_taking_it_files_a_locked_out_ticket(
    tickets: FakeTickets,
) -> None:
    slots, said = await run(ActionOrderStatus(), tracker("inform", locked_out=True))
    assert "couldn't verify those details" in said and tickets.kept == []
    _, said = await run(ActionHandOff(), tracker("request_human", **slots))
    assert "HD-000001" in said
    assert [(t.trigger, t.verified) for t in tickets.kept] == [(Trigger.LOCKED_OUT, False)]


async def test_a_lockout_offers_a_person_every_time_and_never_fills_the_queue_itself(
    tickets: FakeTickets,
) -> None:
    # A stranger trying details locks out at will: a ticket per try would flood the team.
    slots, said = await run(ActionOrderStatus(), tracker("inform", locked_out=True))
    for _ in range(3):
        _, said = await run(ActionOrderStatus(), tracker("inform", **{**slots, "locked_out": True}))
        assert "couldn't verify" in said and "A person on our team can check" in said
    assert tickets.kept == []
    # The shopper taps "Talk to a person": the ticket says it was a lockout.
    _, said = await run(ActionHandOff(), tracker("request_human", **slots))
    assert "HD-000001" in said
    assert [t.trigger for t in tickets.kept] == [Trigger.LOCKED_OUT]


async def test_outside_hours_the_shopper_hears_when_the_team_is_back(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    friday_evening = Settings(clock=Clock(NOW.replace(hour=19)), secret=SECRET)
    evening = Services(friday_evening, *list(services.__dict__.values())[1:])
    for module in (actions.status, actions.clients, actions.handoff):
        monkeypatch.setattr(module, "services", lambda: evening)
    _, said = await run(ActionHandOff(), tracker("request_human"))
    assert "back Monday, November 23 at 9:00 am (EST)" in said and "HD-000001" in said


def console_tracker(token: str, **slots: Any) -> Tracker:
    t = tracker("EXTERNAL_console", **slots)
    t.latest_message["entities"] = [{"entity": "console", "value": token}]
    return t


def console_ticket(conversation: str = SENDER) -> Ticket:
    return Ticket("HD-ABCDEF", Trigger.ASKED, "rest", conversation, False, "none", None, {}, NOW)


async def console_run(token: str, **slots: Any) -> tuple[list[dict[str, Any]], str]:
    dispatcher = CollectingDispatcher()
    events = await ActionConsoleEvent().run(dispatcher, console_tracker(token, **slots), DOMAIN)
    return events, " / ".join(shown(m) for m in dispatcher.messages)


async def test_a_person_joining_is_said_by_name_and_pauses_the_assistant() -> None:
    token = console_token(SECRET, console_ticket(), ConsoleEvent.JOINED, "Ana")
    events, said = await console_run(token)
    assert "Ana from our team has joined" in said and "HD-ABCDEF" in said
    assert [e["event"] for e in events] == ["pause"]


async def test_a_console_token_for_another_conversation_or_forged_says_and_pauses_nothing() -> None:
    other = console_token(SECRET, console_ticket("web-2"), ConsoleEvent.JOINED, "Ana")
    forged = console_token(b"another-secret", console_ticket(), ConsoleEvent.JOINED, "Ana")
    for token in (other, forged, "", "not-a-token"):
        assert await console_run(token) == ([], "")


async def test_handed_back_the_assistant_greets_with_the_order_it_knows_and_may_offer_again() -> (
    None
):
    token = console_token(SECRET, console_ticket(), ConsoleEvent.BACK, "Ana")
    events, said = await console_run(token, last_order="WM-104233", handoff_offered="asked")
    assert "Ana has handed you back" in said and "WM-104233" in said
    assert {"event": "slot", "name": "handoff_offered", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    closed = console_token(SECRET, console_ticket(), ConsoleEvent.CLOSED, "Ana")
    _, said = await console_run(closed)
    assert "Ana has closed this conversation" in said
