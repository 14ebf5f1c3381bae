"""The goodbye and the NPS survey in the conversation: asked once, when due, read kindly."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.nps import (
    ActionAskNpsScore,
    ActionGoodbye,
    ActionNpsDone,
    ValidateNpsForm,
)
from bot.bootstrap import Services
from bot.channels.identity import IDENTITY_KEY, ClientIdentity, seal
from bot.domain.access import Client
from bot.domain.errors import StoreUnavailable
from bot.domain.nps import Survey
from bot.domain.tickets import Trigger
from tests.unit.builders import NOW, FakeCarrier, FakeOrders, grant, order, tracking
from tests.unit.domain_responses import responses, shown
from tests.unit.fake_surveys import FakeSurveyStore
from tests.unit.fake_tickets import FakeTickets
from tests.unit.wiring import wire_actions

SECRET = b"test-secret-of-the-deployment"
SENDER = "web-1"
CLIENT = Client("rest", SENDER, "session-1")
FORM = {"nps_form": {"required_slots": ["nps_score", "nps_reason"]}}
DOMAIN: dict[str, Any] = {"responses": responses(), "slots": {}, "forms": FORM}
ASKED = "Before you go: on a scale of 0 to 10"


@pytest.fixture
def store() -> FakeSurveyStore:
    return FakeSurveyStore()


@pytest.fixture
def tickets() -> FakeTickets:
    return FakeTickets()


@pytest.fixture(autouse=True)
def services(
    monkeypatch: pytest.MonkeyPatch, store: FakeSurveyStore, tickets: FakeTickets
) -> Services:
    carrier = FakeCarrier({"1Z999AA10123456784": tracking()})
    wired = wire_actions(
        monkeypatch, FakeOrders([order()]), carrier, SECRET, surveys=store, tickets=tickets
    )
    grant(wired.access, "WM-104233", client=CLIENT)
    return wired


def tracker(
    text: str, intent: str, *earlier: dict[str, Any], in_form: bool = False, **slots: Any
) -> Tracker:
    who = ClientIdentity("rest", SENDER, "session-1")
    filled = [{"event": "slot", "name": k, "value": v} for k, v in slots.items() if in_form]
    return Tracker.from_dict(
        {
            "sender_id": SENDER,
            "slots": {"locked_out": False, **slots},
            "latest_message": {
                "text": text,
                "intent": {"name": intent},
                "entities": [],
                "metadata": {IDENTITY_KEY: seal(who, SECRET)},
            },
            "events": [
                *earlier,
                {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
                *filled,
            ],
            "active_loop": {"name": "nps_form"} if in_form else {},
        }
    )


async def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], str]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    return events, " / ".join(shown(m) for m in dispatcher.messages)


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def followed_by(events: list[dict[str, Any]]) -> str | None:
    return next((e["name"] for e in events if e.get("event") == "followup"), None)


async def test_bye_after_the_bot_answered_records_the_ask_and_starts_the_survey(
    store: FakeSurveyStore,
) -> None:
    events, said = await run(
        ActionGoodbye(), tracker("thanks, bye", "goodbye", last_order="WM-104233")
    )
    assert followed_by(events) == "nps_form" and said == ""
    assert [(s.channel, s.conversation, s.order_number, s.asked_at) for s in store.kept] == [
        ("rest", SENDER, "WM-104233", NOW)
    ]


async def test_bye_without_an_answer_about_an_order_is_a_plain_goodbye(
    store: FakeSurveyStore,
) -> None:
    events, said = await run(ActionGoodbye(), tracker("bye", "goodbye"))
    assert followed_by(events) is None and "Bye for now" in said and store.kept == []


async def test_no_survey_after_a_person_was_offered_or_even_handed_back(
    store: FakeSurveyStore,
) -> None:
    offered = tracker("bye", "goodbye", last_order="WM-104233", handoff_offered="frustrated")
    assert followed_by((await run(ActionGoodbye(), offered))[0]) is None
    handed = {"event": "slot", "name": "handoff_offered", "value": "asked"}
    back = {"event": "slot", "name": "handoff_offered", "value": None}
    handed_back = tracker("bye", "goodbye", handed, back, last_order="WM-104233")
    events, said = await run(ActionGoodbye(), handed_back)
    assert followed_by(events) is None and "Bye for now" in said and store.kept == []


async def test_a_hand_off_in_an_earlier_session_of_the_conversation_does_not_count(
    store: FakeSurveyStore,
) -> None:
    handed = {"event": "slot", "name": "handoff_offered", "value": "asked"}
    new_session = {"event": "session_started"}
    t = tracker("bye", "goodbye", handed, new_session, last_order="WM-104233")
    events, _ = await run(ActionGoodbye(), t)
    assert followed_by(events) == "nps_form" and len(store.kept) == 1


async def test_a_shopper_asked_this_week_elsewhere_gets_a_plain_goodbye(
    services: Services, store: FakeSurveyStore
) -> None:
    shopper = services.surveys.shopper(CLIENT, "WM-104233")
    store.add(Survey(shopper, "twilio", "+14155550134", "WM-104233", NOW - timedelta(days=6)))
    events, said = await run(ActionGoodbye(), tracker("bye", "goodbye", last_order="WM-104233"))
    assert followed_by(events) is None and "Bye for now" in said and len(store.kept) == 1


async def test_a_conversation_that_took_the_survey_is_not_asked_again(
    store: FakeSurveyStore,
) -> None:
    done = tracker("bye", "goodbye", last_order="WM-104233", nps_score="9")
    assert followed_by((await run(ActionGoodbye(), done))[0]) is None and store.kept == []


async def test_a_store_that_fails_still_says_goodbye(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: object) -> bool:
        raise StoreUnavailable("the survey store failed")

    monkeypatch.setattr(services.surveys, "ask", down)
    events, said = await run(ActionGoodbye(), tracker("bye", "goodbye", last_order="WM-104233"))
    assert (
        followed_by(events) is None
        and said == "Thanks for shopping with Woodland Market. Bye for now!"
    )


async def asked(store: FakeSurveyStore) -> None:
    await run(ActionGoodbye(), tracker("bye", "goodbye", last_order="WM-104233"))
    assert len(store.kept) == 1


async def validate(text: str, intent: str = "inform", **slots: Any) -> dict[str, Any]:
    t = tracker(text, intent, in_form=True, requested_slot=None, **slots)
    events, said = await run(ValidateNpsForm(), t)
    assert said == ""  # a reason is never said back, nor anything else here
    return slots_of(events)


async def test_a_score_is_recorded_and_the_reason_asked_next(store: FakeSurveyStore) -> None:
    await asked(store)
    slots = await validate("9/10", nps_score="9/10")
    assert slots["nps_score"] == "9" and store.kept[0].score == 9
    assert "requested_slot" not in slots  # Rasa asks the next of the form's slots: the reason


async def test_a_reason_is_stored_as_typed_and_the_slot_keeps_only_that_one_was_given(
    store: FakeSurveyStore,
) -> None:
    await asked(store)
    await validate("8", nps_score="8")
    reason = "Quick answer, and it told me why it's late."
    slots = await validate(reason, "delivery_late", nps_score="8", nps_reason=reason)
    assert slots["nps_reason"] == "given" and store.kept[0].reason == reason


async def test_skip_or_bye_leaves_the_reason_empty(store: FakeSurveyStore) -> None:
    await asked(store)
    await validate("3", nps_score="3")
    slots = await validate("ok bye", "goodbye", nps_score="3", nps_reason="ok bye")
    assert slots["nps_reason"] == "none" and store.kept[0].reason is None
    slots = await validate("skip", nps_score="3", nps_reason="skip")
    assert slots["nps_reason"] == "none" and store.kept[0].reason is None


async def test_a_score_that_is_not_one_is_asked_once_more_then_the_survey_ends(
    store: FakeSurveyStore,
) -> None:
    await asked(store)
    first = await validate("pretty good", "affirm", nps_score="pretty good")
    assert first == {"nps_score": None, "nps_missed": True}
    _, again = await run(ActionAskNpsScore(), tracker("pretty good", "affirm", nps_missed=True))
    assert "I need a number from 0" in again
    second = await validate("very good", "affirm", nps_score="very good", nps_missed=True)
    assert second["nps_score"] == "declined" and second["requested_slot"] is None
    assert store.kept[0].score is None


async def test_no_thanks_ends_the_survey_and_records_nothing(store: FakeSurveyStore) -> None:
    await asked(store)
    slots = await validate("no thanks", "deny", nps_score="no thanks")
    assert slots["nps_score"] == "declined" and slots["requested_slot"] is None
    assert store.kept[0].score is None
    _, said = await run(ActionNpsDone(), tracker("no thanks", "deny", nps_score="declined"))
    assert said == "Thanks for shopping with Woodland Market. Bye for now!"


async def test_thanks_and_goodbye_after_the_answers() -> None:
    _, said = await run(ActionNpsDone(), tracker("fast", "inform", nps_score="9"))
    assert said == (
        "Thanks, that helps us get better. / Thanks for shopping with Woodland Market. Bye for now!"
    )


async def test_a_new_question_instead_of_a_score_ends_the_survey_and_is_answered(
    store: FakeSurveyStore,
) -> None:
    await asked(store)
    slots = await validate("where is my other order?", "order_status", nps_score="where")
    assert slots["nps_score"] == "left" and slots["requested_slot"] is None
    events, said = await run(ActionNpsDone(), tracker("where", "order_status", nps_score="left"))
    assert followed_by(events) == "order_lookup_form" and said == ""


async def test_a_person_asked_for_instead_of_a_score_gets_the_hand_off(
    tickets: FakeTickets,
) -> None:
    slots = await validate("talk to a person", "request_human", nps_score="talk to a person")
    assert slots["nps_score"] == "left"
    t = tracker("talk to a person", "request_human", nps_score="left")
    events, said = await run(ActionNpsDone(), t)
    assert "HD-000001" in said and [k.trigger for k in tickets.kept] == [Trigger.ASKED]
    assert slots_of(events) == {"handoff_offered": "asked"}
