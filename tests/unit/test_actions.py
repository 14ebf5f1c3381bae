"""The lookup form and the answer, driven as Rasa drives them, over in-memory ports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.lookup
import actions.status
from actions.lookup import CHANNEL_PHONE_KEY, ValidateOrderLookupForm
from actions.status import ActionOrderStatus
from bot.bootstrap import Services
from bot.config import Settings
from bot.domain.clock import Clock
from bot.domain.errors import StoreUnavailable
from bot.domain.identity import OrderNumberFormat
from bot.services.wismo import Wismo
from tests.unit.builders import NOW, FakeCarrier, FakeOrders, order, tracking

DOMAIN: dict[str, Any] = {
    "forms": {"order_lookup_form": {"required_slots": ["order_ref", "proof", "selected_order"]}},
    "slots": {},
}


@pytest.fixture(autouse=True)
def services(monkeypatch: pytest.MonkeyPatch) -> Services:
    orders = FakeOrders([order(), order("WM-100001", placed_at=NOW - timedelta(days=40))])
    wismo = Wismo(orders, FakeCarrier({"1Z999AA10123456784": tracking()}), Clock(NOW), timedelta(0))
    wired = Services(Settings(clock=Clock(NOW)), wismo, OrderNumberFormat())
    for module in (actions.lookup, actions.status):
        monkeypatch.setattr(module, "services", lambda: wired)
    return wired


def tracker(
    text: str, intent: str, entities: dict[str, str], metadata: Any = None, **slots: Any
) -> Tracker:
    found = [{"entity": k, "value": v, "start": 0, "end": 1} for k, v in entities.items()]
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": {"verify_attempts": 0.0, "locked_out": False, **slots},
            "latest_message": {
                "text": text,
                "intent": {"name": intent},
                "entities": found,
                "metadata": metadata or {},
            },
            "events": [
                {
                    "event": "user",
                    "text": text,
                    "parse_data": {"intent": {"name": intent}, "entities": found},
                }
            ],
            "active_loop": {"name": "order_lookup_form"},
        }
    )


async def validate(t: Tracker) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateOrderLookupForm().run(dispatcher, t, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return slots, [m.get("text") or "" for m in dispatcher.messages]


async def test_an_order_number_and_email_in_one_message_verify_at_once() -> None:
    slots, said = await validate(
        tracker(
            "where is wm 104233 jane.doe@example.com",
            "order_status",
            {"order_number": "wm 104233", "email": "jane.doe@example.com"},
        )
    )
    assert slots["order_ref"] == "order_number:WM-104233"
    assert slots["proof"] == "ok"
    assert slots["selected_order"] == "WM-104233"
    assert set(slots["verified_orders"]) == {"WM-104233", "WM-100001"}
    assert slots["requested_slot"] is None
    assert said == []


async def test_without_a_number_the_form_asks_for_one() -> None:
    slots, _ = await validate(tracker("where is my order", "order_status", {}))
    assert slots["topic"] == "order_status"
    assert slots["requested_slot"] == "order_ref"


async def test_a_wrong_factor_is_refused_politely_and_starts_over() -> None:
    slots, said = await validate(
        tracker(
            "mallory@example.com",
            "inform",
            {"email": "mallory@example.com"},
            order_ref="order_number:WM-104233",
            requested_slot="proof",
            topic="order_status",
        )
    )
    assert slots["order_ref"] is None and slots["proof"] is None
    assert slots["verify_attempts"] == 1.0
    assert "don't match" in said[0]
    assert "verified_orders" not in slots


async def test_the_third_wrong_factor_locks_the_conversation() -> None:
    slots, said = await validate(
        tracker(
            "10001",
            "inform",
            {"zip_code": "10001"},
            order_ref="order_number:WM-104233",
            requested_slot="proof",
            topic="order_status",
            verify_attempts=2.0,
        )
    )
    assert slots["locked_out"] is True
    assert slots["requested_slot"] is None


async def test_a_locked_conversation_is_never_verified_even_with_the_right_details() -> None:
    slots, _ = await validate(
        tracker(
            "WM-104233 jane.doe@example.com",
            "order_status",
            {"order_number": "WM-104233", "email": "jane.doe@example.com"},
            locked_out=True,
            verify_attempts=3.0,
        )
    )
    assert "verified_orders" not in slots and slots["requested_slot"] is None


async def test_an_email_lookup_asks_for_a_postal_code_then_a_choice() -> None:
    slots, _ = await validate(
        tracker("jane.doe@example.com", "order_status", {"email": "jane.doe@example.com"})
    )
    assert slots["order_ref"] == "email:jane.doe@example.com"
    assert slots["requested_slot"] == "proof"
    slots, _ = await validate(
        tracker(
            "94107",
            "inform",
            {"zip_code": "94107"},
            order_ref="email:jane.doe@example.com",
            requested_slot="proof",
            topic="order_status",
        )
    )
    assert slots["proof"] == "ok" and slots["selected_order"] is None
    assert slots["requested_slot"] == "selected_order"


async def test_the_answer_tells_status_carrier_scan_and_date_but_not_the_street() -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(
        "",
        "inform",
        {},
        selected_order="WM-104233",
        verified_orders=["WM-104233"],
        topic="order_status",
    )
    events = await ActionOrderStatus().run(dispatcher, t, DOMAIN)
    text = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "on its way with UPS" in text and "Memphis, TN" in text
    assert "Saturday, November 21 (tomorrow)" in text
    assert "Terry Francois" not in text and "jane.doe" not in text
    assert {"event": "slot", "name": "selected_order", "value": None, "timestamp": None} in events


async def test_no_answer_for_an_order_that_was_not_verified() -> None:
    dispatcher = CollectingDispatcher()
    t = tracker("", "inform", {}, selected_order="WM-104233", verified_orders=["WM-100001"])
    await ActionOrderStatus().run(dispatcher, t, DOMAIN)
    assert all("UPS" not in (m.get("text") or "") for m in dispatcher.messages)


async def test_a_broken_order_store_gets_an_apology_and_a_way_to_a_person(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise StoreUnavailable("database is locked")

    monkeypatch.setattr(services.wismo, "verify", broken)
    slots, said = await validate(
        tracker(
            "WM-104233 jane.doe@example.com",
            "order_status",
            {"order_number": "WM-104233", "email": "jane.doe@example.com"},
        )
    )
    assert "something went wrong on our side" in said[0]
    assert slots["requested_slot"] is None and "verified_orders" not in slots


async def test_a_phone_number_the_channel_verified_proves_the_order() -> None:
    slots, _ = await validate(
        tracker(
            "where is WM-104233",
            "order_status",
            {"order_number": "WM-104233"},
            metadata={CHANNEL_PHONE_KEY: "+14155550134"},
        )
    )
    assert slots["proof"] == "ok" and slots["selected_order"] == "WM-104233"


async def test_a_typed_phone_number_is_checked_like_any_second_factor() -> None:
    slots, said = await validate(
        tracker(
            "+1 212 555 0199",
            "inform",
            {"phone_number": "+1 212 555 0199"},
            order_ref="order_number:WM-104233",
            requested_slot="proof",
            topic="order_status",
        )
    )
    assert "verified_orders" not in slots and "don't match" in said[0]


async def test_a_tracking_number_typed_with_spaces_finds_its_order() -> None:
    slots, _ = await validate(
        tracker("1z999aa1 0123456784", "order_status", {"tracking_number": "1z999aa1 0123456784"})
    )
    assert slots["order_ref"] == "tracking_number:1Z999AA10123456784"


async def test_verifying_an_older_order_by_number_selects_that_order() -> None:
    slots, _ = await validate(
        tracker(
            "WM-100001 jane.doe@example.com",
            "order_status",
            {"order_number": "WM-100001", "email": "jane.doe@example.com"},
        )
    )
    assert slots["selected_order"] == "WM-100001"
    assert slots["verified_orders"] == ["WM-100001", "WM-104233"]


async def test_a_follow_up_is_about_the_order_just_discussed() -> None:
    slots, _ = await validate(
        tracker(
            "when will it get here?",
            "order_status",
            {},
            verified_orders=["WM-100001", "WM-104233"],
            last_order="WM-100001",
        )
    )
    assert slots["selected_order"] == "WM-100001"


async def test_a_follow_up_with_no_order_discussed_yet_asks_which_one() -> None:
    slots, _ = await validate(
        tracker(
            "when will it get here?", "order_status", {}, verified_orders=["WM-100001", "WM-104233"]
        )
    )
    assert slots["requested_slot"] == "selected_order"


async def test_the_answer_remembers_which_order_it_was_about() -> None:
    t = tracker(
        "",
        "inform",
        {},
        selected_order="WM-104233",
        verified_orders=["WM-104233"],
        topic="order_status",
    )
    events = await ActionOrderStatus().run(CollectingDispatcher(), t, DOMAIN)
    assert {
        "event": "slot",
        "name": "last_order",
        "value": "WM-104233",
        "timestamp": None,
    } in events
