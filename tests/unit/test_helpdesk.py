"""The helpdesk webhook's body, signature and settings, and the hand-off's queueing of it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from bot.channels.identity import derive
from bot.config import Settings, SettingsError
from bot.domain.access import Client, Level
from bot.domain.helpdesk import (
    HANDOFF_CREATED,
    Delivery,
    encode,
    handoff_payload,
    signature,
    verify_signature,
)
from bot.domain.tickets import Ticket, Trigger
from tests.unit.builders import CLIENT, NOW, grant
from tests.unit.fake_tickets import FakeTickets
from tests.unit.test_tickets import handoff_for

SECRET = "whsec-0123456789abcdef"  # noqa: S105 (made up for the test)
SMS = Client("twilio", "sms:+14155550134", "sms:+14155550134", phone="+14155550134")
TOLD = [
    "Your parcel is in transit with UPS.",
    "I'll send a code to jane.doe@example.com",
    "It goes to 12 Elm Street, Springfield",
]


@dataclass
class FakeOutbox:
    """A `HelpdeskOutbox` in memory, unique by ticket and event like the ledger."""

    kept: dict[str, Delivery] = field(default_factory=dict)

    def queue(self, delivery: Delivery) -> bool:
        if delivery.key in self.kept:
            return False
        self.kept[delivery.key] = delivery
        return True


def sms_ticket() -> Ticket:
    handoff = handoff_for(FakeTickets(), level=None)
    grant(handoff.access, "WM-104233", Level.STATUS, client=SMS)
    return handoff.hand_off(SMS, Trigger.FRUSTRATED, "WM-104233", TOLD, NOW).ticket


def test_the_body_carries_the_ticket_the_order_and_where_to_read_the_conversation() -> None:
    ticket = sms_ticket()
    body = json.loads(encode(handoff_payload(ticket, "https://shop.example/console/t/1")))
    assert (body["version"], body["event"]) == (1, "handoff.created")
    assert body["delivery"] == f"{ticket.reference}:handoff.created"
    sent = body["ticket"]
    assert sent["reference"] == ticket.reference and sent["trigger"] == "frustrated"
    assert (sent["channel"], sent["verified"], sent["how"]) == (
        "twilio",
        True,
        "status+channel_phone",
    )
    assert sent["order_number"] == "WM-104233"
    assert sent["created_at"] == "2026-11-20T20:00:00+00:00"
    assert sent["transcript_url"] == "https://shop.example/console/t/1"
    assert sent["packet"]["shipments"][0]["status"] == "in_transit"
    assert sent["packet"]["told"][0] == "Your parcel is in transit with UPS."


def test_the_body_holds_no_phone_email_street_or_conversation_id() -> None:
    text = encode(handoff_payload(sms_ticket(), "https://shop.example/t")).decode()
    for private in ("4155550134", "jane.doe@example.com", "12 Elm Street", "sms:"):
        assert private not in text
    assert "<email>" in text and "<street>" in text


def test_a_signature_verifies_over_the_same_body_within_five_minutes() -> None:
    body = encode(handoff_payload(sms_ticket(), "https://shop.example/t"))
    header = signature(SECRET, body, 1_795_723_200)
    assert header.startswith("t=1795723200,v1=")
    assert verify_signature(SECRET, header, body, now=1_795_723_200 + 299)


def test_a_tampered_body_a_wrong_secret_or_a_forged_header_is_refused() -> None:
    body = encode(handoff_payload(sms_ticket(), "https://shop.example/t"))
    header = signature(SECRET, body, 1_795_723_200)
    tampered = body.replace(b'"verified":true', b'"verified":false')
    assert tampered != body
    assert not verify_signature(SECRET, header, tampered, now=1_795_723_200)
    assert not verify_signature("another-secret-0123456789", header, body, now=1_795_723_200)
    for forged in ("", "v1=" + "0" * 64, header.replace("v1=", "v0="), "t=abc,v1=00"):
        assert not verify_signature(SECRET, forged, body, now=1_795_723_200)


def test_an_old_or_future_timestamp_is_refused_as_a_replay() -> None:
    body = b'{"version":1}'
    header = signature(SECRET, body, 1_795_723_200)
    assert not verify_signature(SECRET, header, body, now=1_795_723_200 + 301)
    assert not verify_signature(SECRET, header, body, now=1_795_723_200 - 301)


def test_a_new_ticket_is_queued_once_for_the_helpdesk_however_often_the_shopper_asks() -> None:
    tickets, outbox = FakeTickets(), FakeOutbox()
    handoff = handoff_for(tickets)
    handoff.outbox = outbox
    first = handoff.hand_off(CLIENT, Trigger.ASKED, "WM-104233", [], NOW).ticket
    handoff.hand_off(CLIENT, Trigger.FRUSTRATED, "WM-104233", [], NOW)
    other = Client("rest", "shopper-2", "session-2")
    second = handoff.hand_off(other, Trigger.ASKED, None, [], NOW).ticket
    assert sorted(outbox.kept) == sorted(
        f"{t.reference}:{HANDOFF_CREATED}" for t in (first, second)
    )
    assert all(d.next_at == NOW and d.attempts == 0 for d in outbox.kept.values())


def test_a_ticket_found_standing_when_the_webhook_was_turned_on_is_not_sent() -> None:
    tickets, outbox = FakeTickets(), FakeOutbox()
    handoff = handoff_for(tickets)
    handoff.hand_off(CLIENT, Trigger.ASKED, None, [], NOW)  # before HELPDESK_WEBHOOK_URL
    handoff.outbox = outbox
    handoff.hand_off(CLIENT, Trigger.FRUSTRATED, None, [], NOW)
    assert outbox.kept == {}


def test_the_signing_secret_defaults_to_a_key_derived_from_wismo_secret() -> None:
    env = {"WISMO_SECRET": "s" * 40, "HELPDESK_WEBHOOK_URL": "https://desk.example/in"}
    settings = Settings.from_env(env)
    assert settings.helpdesk_webhook_secret == derive(b"s" * 40, "helpdesk-webhook").hex()
    assert settings.helpdesk_webhook_secret != settings.easypost_webhook_secret
    chosen = Settings.from_env({**env, "HELPDESK_WEBHOOK_SECRET": SECRET})
    assert chosen.helpdesk_webhook_secret == SECRET
    assert SECRET not in repr(chosen) and "desk.example" not in repr(chosen)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HELPDESK_WEBHOOK_URL", "ftp://desk.example/in"),
        ("HELPDESK_WEBHOOK_URL", "desk.example/in"),
        ("HELPDESK_WEBHOOK_SECRET", "too-short"),
        ("WEB_PUBLIC_URL", "localhost:8000"),
    ],
)
def test_a_malformed_helpdesk_setting_is_refused_naming_its_variable(
    variable: str, value: str
) -> None:
    env = {"WISMO_SECRET": "s" * 40, "HELPDESK_WEBHOOK_URL": "https://desk.example/in"}
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({**env, variable: value})


def test_without_a_url_no_webhook_is_configured() -> None:
    assert Settings.from_env({"WISMO_SECRET": "s" * 40}).helpdesk_webhook_url == ""
