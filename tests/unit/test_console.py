"""The agent console's use cases over fakes: taking, answering and giving back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.channels.redaction import redact
from bot.domain.accounts import Account, Role
from bot.domain.clock import Clock
from bot.domain.errors import MessagingUnavailable
from bot.domain.tickets import Line, Speaker, Ticket, TicketOutcome, TicketState, Trigger
from bot.services.console import MAX_REPLY_CHARS, Console, TicketUnavailable
from tests.unit.builders import NOW
from tests.unit.fake_console import FakeConversationControl
from tests.unit.fake_tickets import FakeTickets

ANA = Account("ana", "Ana", Role.AGENT, "hash", NOW)
BEN = Account("ben", "Ben", Role.AGENT, "hash", NOW)
REF = "HD-ABC234"
SHOPPER = "widget-room-1"


def console_with_ticket() -> tuple[Console, FakeTickets, FakeConversationControl]:
    tickets = FakeTickets()
    tickets.open(
        Ticket(
            REF,
            Trigger.ASKED,
            "socketio",
            SHOPPER,
            True,
            "status",
            "WM-104233",
            {"told": ["Your parcel is in transit."]},
            NOW - timedelta(minutes=5),
        )
    )
    control = FakeConversationControl()
    return Console(tickets, control, Clock(NOW), redact), tickets, control


def state(tickets: FakeTickets) -> Ticket:
    found = tickets.by_reference(REF)
    assert found is not None
    return found


def test_taking_tells_the_shopper_a_person_joined_and_the_ticket_leaves_the_queue() -> None:
    console, tickets, control = console_with_ticket()
    taken = console.take(REF, ANA)
    assert taken.state is TicketState.TAKEN and taken.agent == "ana"
    assert control.calls == [("announce", SHOPPER, "joined", "Ana")]
    assert console.queue() == [] and [t.reference for t in console.mine(ANA)] == [REF]


def test_a_second_agents_take_is_refused_naming_who_has_it() -> None:
    console, tickets, control = console_with_ticket()
    console.take(REF, ANA)
    with pytest.raises(TicketUnavailable) as refused:
        console.take(REF, BEN)
    assert (refused.value.reason, refused.value.agent) == ("taken", "ana")
    assert state(tickets).agent == "ana"
    assert len(control.calls) == 1  # the shopper heard of one person only


def test_a_double_click_on_take_keeps_the_ticket_and_tells_the_shopper_once() -> None:
    console, tickets, control = console_with_ticket()
    console.take(REF, ANA)
    again = console.take(REF, ANA)
    assert again.state is TicketState.TAKEN and again.agent == "ana"
    assert control.calls == [("announce", SHOPPER, "joined", "Ana")]


def test_when_the_shopper_cannot_be_told_the_ticket_goes_back_to_the_queue() -> None:
    console, tickets, control = console_with_ticket()
    control.failing.add("announce")
    with pytest.raises(MessagingUnavailable):
        console.take(REF, ANA)
    assert state(tickets).state is TicketState.OPEN and state(tickets).agent is None
    assert [t.reference for t in console.queue()] == [REF]


def test_only_the_person_who_took_it_replies_hands_back_or_closes() -> None:
    console, tickets, control = console_with_ticket()
    console.take(REF, ANA)
    for act in (
        lambda: console.reply(REF, BEN, "Hello, Ben here."),
        lambda: console.hand_back(REF, BEN),
        lambda: console.close(REF, BEN),
    ):
        with pytest.raises(TicketUnavailable) as refused:
            act()
        assert refused.value.agent == "ana"
    assert control.calls == [("announce", SHOPPER, "joined", "Ana")]
    assert state(tickets).state is TicketState.TAKEN


def test_nobody_replies_to_a_ticket_in_the_queue_nor_once_it_is_handed_back() -> None:
    console, _, control = console_with_ticket()
    with pytest.raises(TicketUnavailable) as waiting:
        console.reply(REF, ANA, "Hi")
    assert waiting.value.reason == "open" and control.calls == []
    console.take(REF, ANA)
    console.hand_back(REF, ANA)
    with pytest.raises(TicketUnavailable) as closed:
        console.reply(REF, ANA, "One more thing")
    assert closed.value.reason == "closed"
    assert "say" not in [c[0] for c in control.calls]


def test_the_takers_reply_reaches_the_shopper_trimmed() -> None:
    console, _, control = console_with_ticket()
    console.take(REF, ANA)
    console.reply(REF, ANA, "  I'm checking with the carrier now.\n")
    assert control.calls[-1] == ("say", SHOPPER, "ana", "I'm checking with the carrier now.")


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("  \n ", "empty"), ("x" * (MAX_REPLY_CHARS + 1), "too_long")],
)
def test_an_empty_or_too_long_reply_is_refused_and_nothing_is_sent(text: str, reason: str) -> None:
    console, _, control = console_with_ticket()
    console.take(REF, ANA)
    with pytest.raises(TicketUnavailable) as refused:
        console.reply(REF, ANA, text)
    assert refused.value.reason == reason
    assert [c[0] for c in control.calls] == ["announce"]


def test_handing_back_resumes_the_assistant_then_it_greets_then_the_ticket_closes() -> None:
    console, tickets, control = console_with_ticket()
    console.take(REF, ANA)
    ended = console.hand_back(REF, ANA)
    assert control.calls[1:] == [("resume", SHOPPER), ("announce", SHOPPER, "back", "Ana")]
    assert ended.state is TicketState.CLOSED and ended.outcome is TicketOutcome.HANDED_BACK
    assert console.mine(ANA) == [] and console.queue() == []


def test_closing_tells_the_shopper_and_records_a_resolved_ticket() -> None:
    console, _, control = console_with_ticket()
    console.take(REF, ANA)
    ended = console.close(REF, ANA)
    assert control.calls[-1] == ("announce", SHOPPER, "closed", "Ana")
    assert ended.outcome is TicketOutcome.CLOSED and ended.state is TicketState.CLOSED


def test_a_hand_back_rasa_did_not_take_leaves_the_ticket_with_its_person() -> None:
    console, tickets, control = console_with_ticket()
    console.take(REF, ANA)
    control.failing.add("resume")
    with pytest.raises(MessagingUnavailable):
        console.hand_back(REF, ANA)
    assert state(tickets).state is TicketState.TAKEN and state(tickets).agent == "ana"


def test_the_transcript_masks_what_the_shopper_typed() -> None:
    console, tickets, control = console_with_ticket()
    control.lines = [
        Line(Speaker.SHOPPER, "it's jane.doe@example.com, where is it?", NOW),
        Line(Speaker.BOT, "Your parcel is in transit.", NOW),
    ]
    lines = console.transcript(state(tickets))
    assert "jane.doe@example.com" not in lines[0].text and "<email>" in lines[0].text
    assert lines[0].speaker is Speaker.SHOPPER and lines[1].text == "Your parcel is in transit."
