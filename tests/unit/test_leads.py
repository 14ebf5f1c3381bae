"""What support leads read of the conversations: masked, with the assistant's doings beside
the words, and every reveal recorded before anything unmasked is shown (over fakes)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.channels.redaction import redact
from bot.domain.accounts import Account, Role
from bot.domain.clock import Clock
from bot.domain.conversations import ConversationEvent
from bot.domain.errors import StoreUnavailable
from bot.domain.leads import (
    NAME_MASK,
    ConversationFilter,
    Listed,
    Masker,
    NpsBand,
    Outcome,
    outcome_of,
    personal_values,
)
from bot.domain.tickets import Ticket, Trigger
from bot.services.leads import Entry, Leads
from bot.services.ports import ConversationReader
from tests.unit.builders import NOW, FakeOrders, order
from tests.unit.fake_tickets import FakeTickets

LEE = Account("lee", "Lee", Role.LEAD, "hash", NOW)
SENDER = "sms:+14155550134"
EMAIL, PHONE = "jane.doe@example.com", "+14155550134"
PERSONAL = ("Jane", "Doe", "jane.doe", "4155550134", "Terry Francois", "94107")


def same(text: str) -> str:
    return text


def jane() -> Masker:
    return Masker(redact, personal_values("Jane Doe", EMAIL, PHONE, "500 Terry Francois St"))


def leaked(text: str) -> list[str]:
    return [p for p in PERSONAL if p.lower() in text.lower()]


# The Masker


def test_the_orders_name_email_phone_and_street_line_are_masked() -> None:
    masked = jane()(
        "I'm Jane Doe, write to jane.doe@example.com or call +14155550134; "
        "I live at 500 Terry Francois St"
    )
    assert leaked(masked) == []
    assert masked == f"I'm {NAME_MASK}, write to <email> or call <phone>; I live at <street>"


def test_the_orders_phone_typed_as_bare_digits_is_masked() -> None:
    masked = jane()("text me at 4155550134 or 14155550134")
    assert "5550134" not in masked and masked.startswith("text me at ")


def test_each_part_of_the_name_is_masked_alone_in_any_case() -> None:
    assert jane()("this is DOE, jane to friends") == f"this is {NAME_MASK}, {NAME_MASK} to friends"


def test_a_name_part_inside_a_longer_word_is_not_masked() -> None:
    masker = Masker(same, personal_values("Jo Smith", "jo@example.com", None, "1 Elm St"))
    assert masker("Mr Johnson asked for Jo") == f"Mr Johnson asked for {NAME_MASK}"
    assert masker("Smithers is not Smith") == f"Smithers is not {NAME_MASK}"


def test_a_one_letter_initial_is_not_masked_on_its_own() -> None:
    masker = Masker(same, personal_values("J Smith", "js@example.com", None, "1 Elm St"))
    assert masker("plan J, says J Smith") == f"plan J, says {NAME_MASK}"


def test_the_longest_value_is_masked_first_so_no_part_of_a_street_line_is_left() -> None:
    # A shopper named like their street (a line no pattern reads, here): masking "Terry"
    # first would leave "500 <name> <name> St", the house number showing.
    masker = Masker(
        same, personal_values("Terry Francois", "tf@example.com", None, "500 Terry Francois St")
    )
    masked = masker("Ship it to 500 Terry Francois St please")
    assert "500" not in masked and "Terry" not in masked and "Francois" not in masked


def test_patterns_mask_what_no_order_knows() -> None:
    masked = Masker(redact)("mail sam@example.org, call (415) 555-0199, zip 94110")
    assert "sam@example.org" not in masked and "555-0199" not in masked
    assert "94110" not in masked


def test_the_phone_of_an_sms_sender_id_is_masked() -> None:
    assert "4155550134" not in jane()(SENDER)


# How a conversation ended, and the NPS bands


def test_a_ticket_makes_a_conversation_handed_off_even_when_it_was_answered() -> None:
    assert outcome_of(True, ["WM-104233"], True) is Outcome.HANDED_OFF


def test_an_answer_about_an_order_makes_it_resolved() -> None:
    assert outcome_of(False, ["WM-104233"], True) is Outcome.RESOLVED


def test_no_answer_or_no_order_makes_it_abandoned() -> None:
    assert outcome_of(False, ["WM-104233"], False) is Outcome.ABANDONED
    assert outcome_of(False, [], True) is Outcome.ABANDONED


def test_nps_bands_are_promoters_9_10_passives_7_8_detractors_0_6() -> None:
    assert list(NpsBand.PROMOTER.scores()) == [9, 10]
    assert list(NpsBand.PASSIVE.scores()) == [7, 8]
    assert list(NpsBand.DETRACTOR.scores()) == [0, 1, 2, 3, 4, 5, 6]
    assert list(NpsBand.ANSWERED.scores()) == list(range(11))


# The Leads service over fakes


@dataclass
class FakeConversationReader:
    """An in-memory ConversationReader; `calls` tells in what order it was used."""

    kept: list[Listed] = field(default_factory=list)
    logs: dict[str, list[ConversationEvent]] = field(default_factory=dict)
    revealed: list[tuple[str, str, datetime]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    down_for_reveals: bool = False

    def find(self, wanted: ConversationFilter, limit: int, offset: int = 0) -> list[Listed]:
        self.calls.append("find")
        return self.kept[offset : offset + limit]

    def listed(self, key: int) -> Listed | None:
        self.calls.append("listed")
        return next((c for c in self.kept if c.key == key), None)

    def events(self, conversation: str) -> list[ConversationEvent]:
        self.calls.append("events")
        return self.logs.get(conversation, [])

    def record(self, conversation: str, username: str, at: datetime) -> None:
        if self.down_for_reveals:
            raise StoreUnavailable("the conversation log failed")
        self.calls.append("record")
        self.revealed.append((conversation, username, at))

    def reveals(self, conversation: str) -> list[tuple[str, datetime]]:
        return [(who, at) for c, who, at in reversed(self.revealed) if c == conversation]


def event(n: int, kind: str, **values: Any) -> ConversationEvent:
    return replace(ConversationEvent(n, SENDER, kind, NOW + timedelta(seconds=n)), **values)


JANES_WORDS = "I'm Jane Doe, jane.doe@example.com, I moved from 500 Terry Francois St"
LOG = [
    event(1, "action", action="action_session_start"),
    event(2, "session_started"),
    event(3, "action", action="action_listen"),
    event(4, "user", text="where is WM-104233", intent="order_status", confidence=0.97),
    event(5, "action", action="action_check_order"),
    event(6, "bot", text="Hi Jane, which email is on the order?", action="utter_ask_email"),
    event(7, "user", text=JANES_WORDS, intent="inform", confidence=0.9),
    event(8, "user", text='/choose_order{"order_number":"WM-104233"}', intent="choose_order"),
    event(9, "user", text="EXTERNAL: EXTERNAL_console", intent="EXTERNAL_console"),
    event(10, "bot", text="Ana: Hello Jane, I'm on it.", details={"agent_name": "Ana"}),
    event(11, "action", action="action_listen"),
]


def listed(**changes: object) -> Listed:
    base = Listed(
        key=7,
        conversation=SENDER,
        channel="twilio",
        started_at=NOW,
        last_event_at=NOW + timedelta(minutes=4),
        user_messages=3,
        intents=("order_status", "inform"),
        order_numbers=("WM-104233",),
        outcome=Outcome.HANDED_OFF,
        ticket="HD-ABC234",
        nps_score=3,
        nps_reason="Jane here: nobody wrote to jane.doe@example.com",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def leads_over_fakes() -> tuple[Leads, FakeConversationReader]:
    reader = FakeConversationReader([listed()], {SENDER: list(LOG)})
    tickets = FakeTickets()
    tickets.open(
        Ticket("HD-ABC234", Trigger.ASKED, "twilio", SENDER, True, "status", "WM-104233", {}, NOW)
    )
    fakes: ConversationReader = reader  # the fake satisfies the real port
    return Leads(fakes, FakeOrders([order()]), tickets, redact, Clock(NOW)), reader


def all_text(entries: list[Entry]) -> str:
    return "\n".join(f"{e.text} {e.detail or ''}" for e in entries)


def test_the_list_masks_the_sms_phone_and_the_nps_reason() -> None:
    leads, _ = leads_over_fakes()
    [shown] = leads.conversations(ConversationFilter(), 10)
    assert "4155550134" not in shown.conversation and shown.conversation.startswith("sms:")
    assert shown.nps_reason is not None and leaked(shown.nps_reason) == []
    assert "nobody wrote to" in shown.nps_reason


def test_a_transcript_is_masked_the_shoppers_lines_the_bots_and_the_label() -> None:
    leads, reader = leads_over_fakes()
    shown = leads.transcript(7)
    assert shown is not None and not shown.revealed
    assert leaked(all_text(shown.entries)) == [] and leaked(shown.label) == []
    assert "I'm <name>, <email>" in all_text(shown.entries)
    assert reader.revealed == [] and shown.reveals == []


def test_a_reveal_is_recorded_with_who_and_when_before_the_words_are_read() -> None:
    leads, reader = leads_over_fakes()
    shown = leads.transcript(7, revealer=LEE)
    assert shown is not None and shown.revealed
    assert JANES_WORDS in all_text(shown.entries) and shown.label == SENDER
    assert reader.revealed == [(SENDER, "lee", NOW)]
    assert shown.reveals == [("lee", NOW)]
    assert reader.calls.index("record") < reader.calls.index("events")


def test_when_the_reveal_cannot_be_recorded_nothing_unmasked_is_shown() -> None:
    leads, reader = leads_over_fakes()
    reader.down_for_reveals = True
    with pytest.raises(StoreUnavailable):
        leads.transcript(7, revealer=LEE)
    assert "events" not in reader.calls


def test_an_export_is_masked() -> None:
    leads, _ = leads_over_fakes()
    [(shown, entries)] = list(leads.export(ConversationFilter()))
    assert leaked(shown.conversation) == [] and leaked(shown.nps_reason or "") == []
    assert leaked(all_text(entries)) == []
    assert "(tapped: choose_order)" in all_text(entries)  # the same lines as the transcript


def test_a_transcript_shows_taps_triggers_actions_and_agents_and_hides_listening() -> None:
    leads, _ = leads_over_fakes()
    shown = leads.transcript(7)
    assert shown is not None
    lines = [(e.who, e.text, e.detail) for e in shown.entries]
    assert lines == [
        ("note", "session started", None),
        ("shopper", "where is WM-104233", "order_status 0.97"),
        ("action", "action_check_order", None),
        ("bot", f"Hi {NAME_MASK}, which email is on the order?", "utter_ask_email"),
        ("shopper", lines[4][1], "inform 0.90"),
        ("shopper", "(tapped: choose_order)", "choose_order"),
        ("note", "triggered: EXTERNAL_console", None),
        ("agent", f"Ana: Hello {NAME_MASK}, I'm on it.", "Ana"),
    ]
    assert shown.ticket is not None and shown.ticket.reference == "HD-ABC234"


def test_an_unknown_conversation_has_no_transcript() -> None:
    leads, reader = leads_over_fakes()
    assert leads.transcript(99, revealer=LEE) is None
    assert reader.revealed == []
