"""A Rasa tracker read as a transcript, and the signed tokens the console's trigger carries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.rasa_conversations import (
    RasaConversations,
    console_token,
    lines_of,
    read_console_token,
)
from bot.channels.identity import sign
from bot.domain.errors import MessagingUnavailable
from bot.domain.tickets import ConsoleEvent, Line, Speaker, Ticket, Trigger
from tests.support.stack import free_port
from tests.unit.builders import NOW

SECRET = b"console-test-secret"
T0 = 1_763_000_000.0
AT = datetime.fromtimestamp(T0, UTC)


def user(text: str, intent: str, at: float = T0) -> dict[str, Any]:
    """A user event as Rasa 3.6 writes it to the tracker."""
    return {
        "event": "user",
        "timestamp": at,
        "metadata": {},
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [],
            "text": text,
            "message_id": "5f1c",
            "metadata": {},
            "intent_ranking": [{"name": intent, "confidence": 1.0}],
        },
        "input_channel": "socketio",
        "message_id": "5f1c",
    }


def bot(text: str, metadata: dict[str, Any] | None = None, at: float = T0) -> dict[str, Any]:
    return {
        "event": "bot",
        "timestamp": at,
        "metadata": metadata if metadata is not None else {"utter_action": "utter_status"},
        "text": text,
        "data": {"elements": None, "buttons": None, "image": None, "custom": None},
    }


def test_a_tracker_reads_as_what_each_side_said_with_pauses_as_notes() -> None:
    events = [
        {"event": "action", "timestamp": T0, "name": "action_session_start"},
        {"event": "session_started", "timestamp": T0},
        user("where is WM-104233", "where_is_my_order"),
        bot("Your parcel is in transit."),
        user("/request_human", "request_human"),
        {"event": "action", "timestamp": T0, "name": "action_hand_off"},
        user("EXTERNAL: EXTERNAL_console", "EXTERNAL_console"),
        bot("Ana from our team is joining now."),
        {"event": "pause", "timestamp": T0},
        bot("Ana: I'm checking with UPS.", {"agent": "ana", "agent_name": "Ana"}),
        {"event": "resume", "timestamp": T0},
        {"event": "slot", "timestamp": T0, "name": "order_number", "value": "WM-104233"},
    ]
    assert lines_of(events) == [
        Line(Speaker.SHOPPER, "where is WM-104233", AT),
        Line(Speaker.BOT, "Your parcel is in transit.", AT),
        Line(Speaker.SHOPPER, "(tapped a button: request_human)", AT),
        Line(Speaker.BOT, "Ana from our team is joining now.", AT),
        Line(Speaker.NOTE, "The assistant stepped aside.", AT),
        Line(Speaker.AGENT, "I'm checking with UPS.", AT, "Ana"),
        Line(Speaker.NOTE, "The assistant is answering again.", AT),
    ]


def test_a_button_payload_never_shows_its_values() -> None:
    [line] = lines_of([user('/verify{"email": "jane.doe@example.com"}', "verify")])
    assert line.text == "(tapped a button: verify)"


def test_odd_events_are_skipped_not_fatal() -> None:
    odd: list[Any] = [
        "not an event",
        {"event": "user", "text": None},
        {"event": "bot", "text": ""},
        {"event": "bot", "text": "hi", "metadata": "not a dict", "timestamp": "yesterday"},
    ]
    assert lines_of(odd) == [Line(Speaker.BOT, "hi", None)]


def ticket(conversation: str = "widget-room-1") -> Ticket:
    return Ticket(
        "HD-ABC234", Trigger.ASKED, "socketio", conversation, True, "status", None, {}, NOW
    )


def test_a_console_token_says_its_event_ticket_and_person_in_its_conversation() -> None:
    token = console_token(SECRET, ticket(), ConsoleEvent.JOINED, "Ana")
    assert read_console_token(SECRET, token, "widget-room-1") == {
        "event": "joined",
        "reference": "HD-ABC234",
        "agent": "Ana",
    }


def test_a_token_for_another_conversation_is_refused() -> None:
    token = console_token(SECRET, ticket("widget-room-2"), ConsoleEvent.JOINED, "Ana")
    assert read_console_token(SECRET, token, "widget-room-1") is None


def test_a_tampered_token_or_another_secrets_is_refused() -> None:
    token = console_token(SECRET, ticket(), ConsoleEvent.BACK, "Ana")
    body, _, mac = token.partition(".")
    forged = console_token(SECRET, ticket(), ConsoleEvent.CLOSED, "Ana").partition(".")[0]
    assert read_console_token(SECRET, f"{forged}.{mac}", "widget-room-1") is None
    assert read_console_token(SECRET, f"{body}.{mac[:-2]}AA", "widget-room-1") is None
    assert read_console_token(b"another secret", token, "widget-room-1") is None
    assert read_console_token(SECRET, "/EXTERNAL_console", "widget-room-1") is None


def test_a_signed_token_with_an_unknown_event_is_refused() -> None:
    payload = {
        "conversation": "widget-room-1",
        "reference": "HD-ABC234",
        "event": "escalated",
        "agent": "Ana",
    }
    assert read_console_token(SECRET, sign(SECRET, "console", payload), "widget-room-1") is None
    missing = {k: v for k, v in payload.items() if k != "agent"} | {"event": "joined"}
    assert read_console_token(SECRET, sign(SECRET, "console", missing), "widget-room-1") is None


def test_a_rasa_that_does_not_answer_is_messaging_unavailable() -> None:
    nobody = RasaConversations(f"http://127.0.0.1:{free_port()}", "token", SECRET, timeout=2)
    with pytest.raises(MessagingUnavailable):
        nobody.announce(ticket(), ConsoleEvent.JOINED, "Ana")
    with pytest.raises(MessagingUnavailable):
        nobody.transcript(ticket())
