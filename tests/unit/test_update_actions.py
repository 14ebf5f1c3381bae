"""Updates in the conversation (actions/updates.py), driven as Rasa drives them.

Consent on a phone channel, STOP / START / HELP only as the Twilio channel sealed
them, and a notice said once, to its own conversation only.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.status import ActionOrderStatus
from actions.updates import (
    ActionSendNotice,
    ActionSmsKeyword,
    ActionSubscribeUpdates,
    ActionUnsubscribeUpdates,
)
from bot.bootstrap import Services
from bot.channels.identity import IDENTITY_KEY, ClientIdentity, seal
from bot.domain.access import Client, Level
from bot.domain.notices import Notice, NoticeKind, NoticeState
from bot.domain.notices import Subscription as Sub
from tests.unit.builders import (
    NOW,
    FakeCarrier,
    FakeOrders,
    grant,
    order,
    tracking,
)
from tests.unit.domain_responses import responses, shown
from tests.unit.fake_updates import FakeNotices, FakeTokens
from tests.unit.wiring import wire_actions

SECRET = b"test-secret-of-the-deployment"
SMS = "sms:+14155550134"
PHONE = "+14155550134"
DOMAIN: dict[str, Any] = {"responses": responses(), "slots": {}, "forms": {}}


@pytest.fixture(autouse=True)
def services(monkeypatch: pytest.MonkeyPatch) -> Services:
    carrier = FakeCarrier({"1Z999AA10123456784": tracking()})
    return wire_actions(monkeypatch, FakeOrders([order()]), carrier, SECRET)


def tracker(
    text: str,
    intent: str,
    channel: str = "twilio",
    sender: str = SMS,
    keyword: str | None = None,
    entities: dict[str, str] | None = None,
    **slots: Any,
) -> Tracker:
    who = ClientIdentity(channel, sender, PHONE, phone=PHONE, keyword=keyword)
    found = [{"entity": k, "value": v} for k, v in (entities or {}).items()]
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {"locked_out": False, **slots},
            "latest_message": {
                "text": text,
                "intent": {"name": intent},
                "entities": found,
                "metadata": {IDENTITY_KEY: seal(who, SECRET)},
            },
            "events": [{"event": "user", "text": text, "input_channel": channel}],
        }
    )


async def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], str]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    return events, " / ".join(shown(m) for m in dispatcher.messages)


async def test_updates_asked_for_on_the_website_say_where_to_get_them() -> None:
    events, said = await run(
        ActionSubscribeUpdates(), tracker("text me", "subscribe_updates", "rest", "web-1")
    )
    assert events == []
    assert "text message or on WhatsApp" in said


async def test_updates_asked_for_by_sms_find_and_prove_the_order_first() -> None:
    events, said = await run(
        ActionSubscribeUpdates(), tracker("text me updates", "subscribe_updates")
    )
    assert [e.get("name") for e in events] == ["order_lookup_form"]
    assert said == ""


async def test_the_lookup_a_subscription_started_ends_with_consent_stored(
    services: Services,
) -> None:
    client = Client("twilio", SMS, PHONE, phone=PHONE)
    grant(services.access, "WM-104233", Level.STATUS, client)
    t = tracker(
        "text me", "subscribe_updates", topic="subscribe_updates", selected_order="WM-104233"
    )
    _, said = await run(ActionOrderStatus(), t)
    assert "I'll message you here when order WM-104233 moves" in said
    assert [(s.order_number, s.recipient) for s in services.updates.subscribed("twilio", SMS)] == [
        ("WM-104233", SMS)
    ]


async def test_stop_updates_stops_this_conversations_updates_without_a_lookup(
    services: Services,
) -> None:
    services.updates.subscriptions.subscribe(Sub("WM-104233", "twilio", SMS, NOW))
    _, said = await run(ActionUnsubscribeUpdates(), tracker("stop updates", "unsubscribe_updates"))
    assert "no more updates" in said
    assert services.updates.subscribed("twilio", SMS) == []
    _, said = await run(ActionUnsubscribeUpdates(), tracker("stop updates", "unsubscribe_updates"))
    assert "nothing to stop" in said


async def test_stop_updates_for_one_order_keeps_the_others(services: Services) -> None:
    services.updates.subscriptions.subscribe(Sub("WM-104233", "twilio", SMS, NOW))
    services.updates.subscriptions.subscribe(Sub("WM-100001", "twilio", SMS, NOW))
    asked = tracker(
        "stop updates for wm 104233", "unsubscribe_updates", entities={"order_number": "wm 104233"}
    )
    _, said = await run(ActionUnsubscribeUpdates(), asked)
    assert "no more updates from me about order WM-104233" in said
    assert [s.order_number for s in services.updates.subscribed("twilio", SMS)] == ["WM-100001"]


async def test_stop_and_start_as_the_twilio_channel_sealed_them(services: Services) -> None:
    _, said = await run(ActionSmsKeyword(), tracker("/sms_keyword", "sms_keyword", keyword="stop"))
    assert "Reply START" in said
    assert services.updates.opted_out("twilio", SMS)
    _, said = await run(ActionSmsKeyword(), tracker("/sms_keyword", "sms_keyword", keyword="start"))
    assert "resubscribed" in said
    assert not services.updates.opted_out("twilio", SMS)
    _, said = await run(ActionSmsKeyword(), tracker("/sms_keyword", "sms_keyword", keyword="help"))
    assert "Reply STOP" in said


async def test_a_keyword_typed_as_an_intent_elsewhere_stops_nobody(services: Services) -> None:
    forged = tracker("/sms_keyword", "sms_keyword", "rest", SMS.replace("sms:", "x"), "stop")
    _, said = await run(ActionSmsKeyword(), forged)
    assert "didn't get that" in said
    assert not services.updates.opted_out("rest", forged.sender_id)


def notice(services: Services, recipient: str = SMS) -> int:
    facts = {"status": "out_for_delivery", "carrier": "UPS", "estimated_date": "2026-11-20"}
    notices: FakeNotices = services.updates.notices
    notices.add(
        Notice(
            "k1",
            NoticeKind.STATUS_CHANGE,
            "WM-104233",
            "1Z999AA10123456784",
            "twilio",
            recipient,
            facts,
            NOW,
            NOW,
        )
    )
    return 1


async def test_a_notice_is_said_once_to_its_own_conversation(services: Services) -> None:
    token = FakeTokens().token(notice(services))
    elsewhere = tracker(
        "", "EXTERNAL_notice", sender="sms:+19995550000", entities={"notice": token}
    )
    assert (await run(ActionSendNotice(), elsewhere))[1] == ""
    mine = tracker("", "EXTERNAL_notice", entities={"notice": token})
    events, said = await run(ActionSendNotice(), mine)
    assert (
        "Update on order WM-104233: Out for delivery." in said
        and "It should arrive Friday, November 20" in said
    )
    assert services.updates.notices.get(1).state is NoticeState.SENT
    assert (await run(ActionSendNotice(), mine))[1] == ""  # a retried trigger says nothing
