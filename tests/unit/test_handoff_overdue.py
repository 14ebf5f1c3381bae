"""A hand-off nobody took in time: when it is due, the notice, and the shopper's answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoffContact
from actions.updates import ActionSendNotice
from bot.bootstrap import Services
from bot.channels.identity import IDENTITY_KEY, ClientIdentity, seal
from bot.domain.access import Client, Level
from bot.domain.notices import NoticeKind, NoticeState
from bot.domain.orders import Customer
from bot.domain.tickets import Contact, Ticket, Trigger
from bot.services.overdue import OverdueTickets
from tests.unit.builders import NOW, FakeCarrier, FakeOrders, grant, order, tracking
from tests.unit.domain_responses import responses, shown
from tests.unit.fake_tickets import NEW_YORK, THANKSGIVING, FakeTickets, team_hours
from tests.unit.fake_updates import FakeNotices, FakeTokens
from tests.unit.wiring import wire_actions

SECRET = b"test-secret-of-the-deployment"
DOMAIN: dict[str, Any] = {"responses": responses(), "slots": {}, "forms": {}}
WEB = ("rest", "web-1")
SMS = ("twilio", "sms:+14155550199")
SMS_PHONE = "+14155550199"  # the shopper's own phone, not the order's
ORDER_PHONE = "+14155550134"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


# When a ticket is due: 15 minutes of the team's working time after it was opened.


def test_a_ticket_opened_while_the_team_works_is_due_fifteen_minutes_later() -> None:
    assert team_hours().after_working(at("2026-11-20T10:00"), 15) == at("2026-11-20T10:15")


def test_a_ticket_opened_at_night_is_due_fifteen_minutes_after_the_team_is_back() -> None:
    # Friday evening: the team is back on Monday at nine.
    assert team_hours().after_working(at("2026-11-20T19:00"), 15) == at("2026-11-23T09:15")


def test_a_ticket_opened_just_before_closing_finishes_its_wait_the_next_working_morning() -> None:
    assert team_hours().after_working(at("2026-11-20T17:55"), 15) == at("2026-11-23T09:10")


def test_a_holiday_does_not_count_towards_the_wait() -> None:
    hours = team_hours(THANKSGIVING)
    assert hours.after_working(at("2026-11-25T19:00"), 15) == at("2026-11-27T09:15")


# The sweep over the queue.


def ticket(
    where: tuple[str, str] = WEB,
    created: datetime = NOW,
    order_number: str | None = "WM-104233",
    proof: str | None = "status",
) -> Ticket:
    packet: dict[str, Any] = {"told": []}
    if proof:
        packet["order_proof"] = proof
    return Ticket(
        "HD-000001",
        Trigger.ASKED,
        *where,
        bool(proof),
        proof or "none",
        order_number,
        packet,
        created,
    )


def test_an_untaken_ticket_gets_one_notice_to_its_conversation_when_due() -> None:
    tickets, notices = FakeTickets(), FakeNotices()
    tickets.open(ticket(SMS, created=at("2026-11-20T10:00")))
    sweep = OverdueTickets(tickets, notices, team_hours(), 15)
    assert sweep.queue(at("2026-11-20T10:14")) == 0
    assert sweep.queue(at("2026-11-20T10:15")) == 1
    assert sweep.queue(at("2026-11-20T10:16")) == 0
    [notice] = notices.kept
    assert notice.kind is NoticeKind.HANDOFF_OVERDUE
    assert (notice.channel, notice.recipient) == SMS
    assert notice.facts["reference"] == "HD-000001"
    assert tickets.kept[0].overdue_at == at("2026-11-20T10:15")


def test_a_ticket_opened_on_friday_night_is_not_announced_over_the_weekend() -> None:
    tickets, notices = FakeTickets(), FakeNotices()
    tickets.open(ticket(created=at("2026-11-20T19:00")))
    sweep = OverdueTickets(tickets, notices, team_hours(), 15)
    assert sweep.queue(at("2026-11-21T12:00")) == 0
    assert sweep.queue(at("2026-11-23T09:14")) == 0
    assert sweep.queue(at("2026-11-23T09:15")) == 1


def test_a_shopper_who_asked_long_ago_is_not_answered_in_quiet_hours() -> None:
    tickets, notices = FakeTickets(), FakeNotices()
    sweep = OverdueTickets(tickets, notices, team_hours(), 15)
    tickets.open(ticket(created=at("2026-11-20T19:00")))
    sweep.queue(at("2026-11-23T09:15"))
    [notice] = notices.kept
    assert not sweep.prompt(notice, at("2026-11-23T09:15"))  # asked on Friday night
    assert sweep.prompt(
        replace(notice, facts={**notice.facts, "asked_at": "2026-11-23T09:00-05:00"}),
        at("2026-11-23T09:15"),
    )


# The notice, as the shopper sees it.


@pytest.fixture
def tickets() -> FakeTickets:
    return FakeTickets()


@pytest.fixture(autouse=True)
def services(monkeypatch: pytest.MonkeyPatch, tickets: FakeTickets) -> Services:
    carrier = FakeCarrier({"1Z999AA10123456784": tracking()})
    no_phone = replace(order("WM-104234"), customer=Customer("Sam Roe", "sam@example.com"))
    orders = FakeOrders([order(), no_phone])
    return wire_actions(monkeypatch, orders, carrier, SECRET, tickets=tickets)


def tracker(where: tuple[str, str], intent: str, **entities: str) -> Tracker:
    channel, sender = where
    phone = SMS_PHONE if channel == "twilio" else None
    who = ClientIdentity(channel, sender, phone or "session-1", phone=phone)
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {"locked_out": False},
            "latest_message": {
                "text": "...",
                "intent": {"name": intent},
                "entities": [{"entity": k, "value": v} for k, v in entities.items()],
                "metadata": {IDENTITY_KEY: seal(who, SECRET)},
            },
            "events": [{"event": "user", "text": "...", "input_channel": channel}],
        }
    )


async def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], str]:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, t, DOMAIN)
    return dispatcher.messages, " / ".join(shown(m) for m in dispatcher.messages)


def queue_overdue_notice(services: Services, tickets: FakeTickets) -> FakeNotices:
    """An SMS ticket nobody took in 15 minutes, and its notice queued by the sweep."""
    tickets.open(ticket(SMS, created=NOW - timedelta(minutes=15)))
    notices: FakeNotices = services.updates.notices
    OverdueTickets(tickets, notices, team_hours(), 15).queue(NOW)
    return notices


async def send_notice() -> tuple[list[dict[str, Any]], str]:
    """The notice action, as the notifier's trigger runs it."""
    token = FakeTokens().token(1)
    return await run(ActionSendNotice(), tracker(SMS, "EXTERNAL_notice", notice=token))


async def test_the_notice_tells_the_reference_and_offers_a_call_an_email_or_waiting(
    services: Services, tickets: FakeTickets
) -> None:
    queue_overdue_notice(services, tickets)
    messages, said = await send_notice()
    assert "nobody on our team has been free" in said and "HD-000001" in said
    assert [(b["title"], b["payload"]) for b in messages[0]["buttons"]] == [
        ("Call me back", '/handoff_contact{"contact":"callback"}'),
        ("Email me", '/handoff_contact{"contact":"email"}'),
        ("I'll wait here", '/handoff_contact{"contact":"wait"}'),
    ]


async def test_a_ticket_taken_between_the_sweep_and_the_notice_gets_no_message(
    services: Services, tickets: FakeTickets
) -> None:
    notices = queue_overdue_notice(services, tickets)
    tickets.take("HD-000001", NOW, "sam")  # after the notifier looked, before Rasa ran
    messages, _ = await send_notice()
    assert messages == []
    [notice] = notices.kept
    assert notice.state is NoticeState.FAILED
    assert notice.last_error == "the ticket was taken or closed"


# The shopper's answer: promised only as far as the team can truly do it.


async def contact(where: tuple[str, str], choice: str) -> str:
    return (await run(ActionHandoffContact(), tracker(where, "handoff_contact", contact=choice)))[1]


async def test_waiting_keeps_the_shopper_in_the_queue(tickets: FakeTickets) -> None:
    tickets.open(replace(ticket(), contact=Contact.EMAIL))
    said = await contact(WEB, "wait")
    assert "you stay in the queue (reference HD-000001)" in said
    assert tickets.kept[0].contact is None  # an earlier choice is taken back


async def test_a_call_back_on_sms_goes_to_this_number(tickets: FakeTickets) -> None:
    tickets.open(ticket(SMS, order_number=None, proof=None))
    said = await contact(SMS, "callback")
    assert "call you back on this number about HD-000001" in said
    assert SMS_PHONE not in said and tickets.kept[0].contact is Contact.CALLBACK


async def test_a_call_back_on_the_web_goes_to_the_phone_on_the_proved_order(
    tickets: FakeTickets,
) -> None:
    tickets.open(ticket(WEB))
    said = await contact(WEB, "callback")
    assert "call you back on the phone number on your order about HD-000001" in said
    assert ORDER_PHONE not in said and tickets.kept[0].contact is Contact.CALLBACK


async def test_an_email_goes_to_the_address_on_an_order_the_conversation_holds_a_grant_on(
    services: Services, tickets: FakeTickets
) -> None:
    tickets.open(ticket(WEB, proof=None))  # filed before the order was proved
    grant(services.access, "WM-104233", Level.STATUS, Client(*WEB, "session-1"))
    said = await contact(WEB, "email")
    assert "email you at the email address on order WM-104233 about HD-000001" in said
    assert "jane.doe" not in said and tickets.kept[0].contact is Contact.EMAIL


async def test_without_a_proved_order_an_email_or_a_web_call_back_is_not_promised(
    tickets: FakeTickets,
) -> None:
    tickets.open(ticket(WEB, proof="parcel"))  # a tracking number and a postal code
    assert "can't arrange a call or an email" in await contact(WEB, "email")
    assert "can't arrange a call or an email" in await contact(WEB, "callback")
    assert tickets.kept[0].contact is None


async def test_an_email_on_sms_needs_a_proved_order_even_with_the_phone_verified(
    tickets: FakeTickets,
) -> None:
    tickets.open(ticket(SMS, order_number=None, proof=None))
    assert "can't arrange a call or an email" in await contact(SMS, "email")
    assert tickets.kept[0].contact is None


async def test_a_call_back_is_not_promised_when_the_order_has_no_phone(
    tickets: FakeTickets,
) -> None:
    tickets.open(ticket(WEB, order_number="WM-104234"))
    assert "can't arrange a call or an email" in await contact(WEB, "callback")


async def test_a_ticket_taken_or_gone_is_no_longer_waiting(tickets: FakeTickets) -> None:
    assert "no longer waiting in the queue" in await contact(WEB, "callback")
    tickets.open(ticket(WEB))
    tickets.take("HD-000001", NOW, "sam")
    assert "no longer waiting in the queue" in await contact(WEB, "email")
    assert tickets.kept[0].contact is None
