"""The lookup form and the answer, driven as Rasa drives them, over in-memory ports.

Each message carries the identity its channel sealed, as the REST channel does; what a
conversation has proven lives in the access service, never in its slots.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.lookup import ActionAskSelectedOrder, ValidateOrderLookupForm
from actions.status import ActionOrderStatus
from bot.bootstrap import Services
from bot.channels.identity import IDENTITY_KEY, ClientIdentity, seal
from bot.domain.access import Client, Level
from bot.domain.errors import StoreUnavailable
from bot.domain.orders import Item, Shipment
from tests.unit.builders import (
    NOW,
    FakeCarrier,
    FakeOrders,
    grant,
    make_access,
    order,
    tracking,
)
from tests.unit.domain_responses import shown
from tests.unit.wiring import wire_actions

SECRET = b"test-secret-of-the-deployment"
IDENTITY = ClientIdentity("rest", "test", "session-1", "127.0.0.1")
CLIENT = Client("rest", "test", "session-1", "127.0.0.1")
DOMAIN: dict[str, Any] = {
    "forms": {"order_lookup_form": {"required_slots": ["order_ref", "proof", "selected_order"]}},
    "slots": {},
}
SPLIT = order(
    "WM-104300",
    shipments=(
        replace(order().shipments[0], tracking_number="1Z999AA10123456799"),
        Shipment("usps", "9400111899223344556677", NOW),
    ),
    items=(*order().items, Item("BAG-1", "Sleeping bag", 1, Decimal("80.00"), "USD")),
)


@pytest.fixture(autouse=True)
def services(monkeypatch: pytest.MonkeyPatch) -> Services:
    orders = FakeOrders([order(), order("WM-100001", placed_at=NOW - timedelta(days=40)), SPLIT])
    carrier = FakeCarrier(
        {
            "1Z999AA10123456784": tracking(),
            "1Z999AA10123456799": tracking(number="1Z999AA10123456799"),
        }
    )
    access = make_access(orders, per_conversation=3, per_client=3)
    return wire_actions(monkeypatch, orders, carrier, SECRET, access=access)


def sealed(identity: ClientIdentity = IDENTITY, secret: bytes = SECRET) -> dict[str, str]:
    return {IDENTITY_KEY: seal(identity, secret)}


def tracker(
    text: str, intent: str, entities: dict[str, str], metadata: Any = None, **slots: Any
) -> Tracker:
    found = [{"entity": k, "value": v, "start": 0, "end": 1} for k, v in entities.items()]
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": {"locked_out": False, **slots},
            "latest_message": {
                "text": text,
                "intent": {"name": intent},
                "entities": found,
                "metadata": sealed() if metadata is None else metadata,
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
    return slots, [shown(m) for m in dispatcher.messages]


async def answer(t: Tracker) -> tuple[list[dict[str, Any]], str]:
    dispatcher = CollectingDispatcher()
    events = await ActionOrderStatus().run(dispatcher, t, DOMAIN)
    return events, " ".join(shown(m) for m in dispatcher.messages)


def granted(services: Services, client: Client = CLIENT) -> set[str]:
    return set(services.access.grants(client))


def no_factor_in(slots: dict[str, Any]) -> bool:
    text = " ".join(str(v) for v in slots.values())
    return "jane.doe" not in text and "94107" not in text and "10001" not in text


async def test_an_order_number_and_email_in_one_message_verify_at_once(services: Services) -> None:
    slots, said = await validate(
        tracker(
            "where is wm 104233 jane.doe@example.com",
            "order_status",
            {"order_number": "wm 104233", "email": "jane.doe@example.com"},
        )
    )
    assert slots["proof"] == "ok" and slots["selected_order"] == "WM-104233"
    assert slots["requested_slot"] is None and said == []
    assert granted(services) == {"WM-104233", "WM-100001", "WM-104300"}
    assert no_factor_in(slots)


async def test_without_a_number_the_form_asks_for_one() -> None:
    slots, _ = await validate(tracker("where is my order", "order_status", {}))
    assert slots["topic"] == "order_status"
    assert slots["requested_slot"] == "order_ref"


async def test_a_wrong_factor_is_refused_politely_and_starts_over(services: Services) -> None:
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
    assert "don't match" in said[0]
    assert granted(services) == set() and "mallory" not in str(slots)


def wrong_zip(zip_code: str = "10001", **slots: Any) -> Tracker:
    return tracker(
        zip_code,
        "inform",
        {"zip_code": zip_code},
        order_ref="order_number:WM-104233",
        requested_slot="proof",
        topic="order_status",
        **slots,
    )


async def test_the_third_wrong_factor_locks_the_conversation() -> None:
    for zip_code in ("10001", "10002"):
        slots, _ = await validate(wrong_zip(zip_code))
        assert "locked_out" not in slots
    slots, _ = await validate(wrong_zip("10003"))
    assert slots["locked_out"] is True and slots["requested_slot"] is None


async def test_a_restart_does_not_lift_the_lock_even_with_the_right_details(
    services: Services,
) -> None:
    for zip_code in ("10001", "10002", "10003"):
        await validate(wrong_zip(zip_code))
    # /restart wiped the slots: locked_out is False again, but the core remembers.
    slots, _ = await validate(
        tracker(
            "WM-104233 jane.doe@example.com",
            "order_status",
            {"order_number": "WM-104233", "email": "jane.doe@example.com"},
        )
    )
    assert slots["locked_out"] is True and granted(services) == set()
    _, text = await answer(tracker("", "inform", {}, locked_out=True))
    assert "couldn't verify" in text


async def test_an_email_lookup_keeps_no_address_in_clear_and_asks_for_a_choice() -> None:
    slots, _ = await validate(
        tracker("jane.doe@example.com", "order_status", {"email": "jane.doe@example.com"})
    )
    sealed_ref = slots["order_ref"]
    assert sealed_ref.startswith("email:") and "jane" not in sealed_ref
    assert slots["requested_slot"] == "proof"
    slots, _ = await validate(
        tracker(
            "94107",
            "inform",
            {"zip_code": "94107"},
            order_ref=sealed_ref,
            requested_slot="proof",
            topic="order_status",
        )
    )
    assert slots["proof"] == "ok" and slots["selected_order"] is None
    assert slots["order_ref"] is None and slots["requested_slot"] == "selected_order"


async def test_the_answer_tells_status_carrier_scan_and_date_but_not_the_street(
    services: Services,
) -> None:
    grant(services.access, "WM-104233", client=CLIENT)
    events, text = await answer(
        tracker("", "inform", {}, selected_order="WM-104233", topic="order_status")
    )
    assert "on its way with UPS" in text and "Memphis, TN" in text
    assert "Saturday, November 21 (tomorrow)" in text
    assert "Terry Francois" not in text and "jane.doe" not in text
    assert {"event": "slot", "name": "selected_order", "value": None, "timestamp": None} in events
    assert {
        "event": "slot",
        "name": "last_order",
        "value": "WM-104233",
        "timestamp": None,
    } in events


async def test_no_answer_for_an_order_the_conversation_has_not_proven(services: Services) -> None:
    grant(services.access, "WM-100001", client=CLIENT)
    _, text = await answer(tracker("", "inform", {}, selected_order="WM-104233"))
    assert "UPS" not in text


async def test_a_forged_request_that_sets_slots_discloses_nothing(services: Services) -> None:
    grant(services.access, "WM-104233", client=CLIENT)
    forged_slots = {"selected_order": "WM-104233", "proof": "ok", "topic": "order_status"}
    for metadata in (
        {},  # no identity at all
        sealed(secret=b"guessed-secret"),  # sealed with another secret
        sealed(replace(IDENTITY, subject="session-2")),  # another client's session
        {"wismo_verified_phone": "+14155550134"},  # a phone it merely claims
    ):
        _, text = await answer(tracker("", "inform", {}, metadata=metadata, **forged_slots))
        assert "UPS" not in text and "Memphis" not in text


async def test_a_broken_order_store_gets_an_apology_and_a_way_to_a_person(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise StoreUnavailable("database is locked")

    monkeypatch.setattr(services.access, "verify", broken)
    slots, said = await validate(
        tracker(
            "WM-104233 jane.doe@example.com",
            "order_status",
            {"order_number": "WM-104233", "email": "jane.doe@example.com"},
        )
    )
    assert "something went wrong on our side" in said[0]
    assert slots["requested_slot"] is None and granted(services) == set()


async def test_a_phone_number_the_channel_verified_proves_the_order() -> None:
    slots, _ = await validate(
        tracker(
            "where is WM-104233",
            "order_status",
            {"order_number": "WM-104233"},
            metadata=sealed(replace(IDENTITY, phone="+14155550134")),
        )
    )
    assert slots["proof"] == "ok" and slots["selected_order"] == "WM-104233"


async def test_a_verified_phone_of_another_country_with_the_same_last_digits_proves_nothing() -> (
    None
):
    # +44 415 555 0134 ends as the order's +1 415 555 0134 does: another person's phone.
    slots, _ = await validate(
        tracker(
            "where is WM-104233",
            "order_status",
            {"order_number": "WM-104233"},
            metadata=sealed(replace(IDENTITY, phone="+444155550134")),
        )
    )
    assert slots.get("proof") != "ok" and slots.get("selected_order") is None


async def test_texting_from_a_phone_not_on_the_order_asks_for_proof_and_blames_nobody() -> None:
    other_phone = sealed(replace(IDENTITY, phone="+16465550199"))
    for _ in range(6):  # more than any failed-check limit
        slots, said = await validate(
            tracker(
                "where is WM-104233",
                "order_status",
                {"order_number": "WM-104233"},
                metadata=other_phone,
            )
        )
        assert not slots.get("locked_out") and slots.get("proof") is None
        assert not any("match" in line for line in said)
    assert slots["requested_slot"] == "proof"
    # The email then proves it, as on any channel.
    slots, _ = await validate(
        tracker(
            "jane.doe@example.com",
            "inform",
            {"email": "jane.doe@example.com"},
            metadata=other_phone,
            order_ref="order_number:WM-104233",
            requested_slot="proof",
        )
    )
    assert slots["proof"] == "ok"


async def test_a_phone_number_in_unsealed_metadata_proves_nothing() -> None:
    slots, _ = await validate(
        tracker(
            "where is WM-104233",
            "order_status",
            {"order_number": "WM-104233"},
            metadata={**sealed(), "wismo_verified_phone": "+14155550134"},
        )
    )
    assert slots.get("proof") is None and slots["requested_slot"] == "proof"


async def test_a_typed_phone_number_is_checked_like_any_second_factor(services: Services) -> None:
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
    assert granted(services) == set() and "don't match" in said[0]


async def test_a_tracking_number_typed_with_spaces_finds_its_order() -> None:
    slots, _ = await validate(
        tracker("1z999aa1 0123456784", "order_status", {"tracking_number": "1z999aa1 0123456784"})
    )
    assert slots["order_ref"] == "tracking_number:1Z999AA10123456784"


async def test_a_label_alone_shows_that_parcel_and_not_what_is_inside(services: Services) -> None:
    slots, _ = await validate(
        tracker(
            "1Z999AA10123456799 94107",
            "order_status",
            {"tracking_number": "1Z999AA10123456799", "zip_code": "94107"},
        )
    )
    assert slots["proof"] == "ok" and slots["selected_order"] == "WM-104300"
    assert services.access.grants(CLIENT)["WM-104300"].level is Level.PARCEL
    _, text = await answer(
        tracker("", "inform", {}, selected_order="WM-104300", topic="order_status")
    )
    assert "UPS" in text
    assert "Sleeping bag" not in text and "tent" not in text.lower() and "USPS" not in text


async def test_verifying_an_older_order_by_number_selects_that_order(services: Services) -> None:
    slots, _ = await validate(
        tracker(
            "WM-100001 jane.doe@example.com",
            "order_status",
            {"order_number": "WM-100001", "email": "jane.doe@example.com"},
        )
    )
    assert slots["selected_order"] == "WM-100001"
    assert "WM-104233" in granted(services)


async def test_a_follow_up_is_about_the_order_just_discussed(services: Services) -> None:
    for number in ("WM-100001", "WM-104233"):
        grant(services.access, number, client=CLIENT)
    slots, _ = await validate(
        tracker("when will it get here?", "order_status", {}, last_order="WM-100001")
    )
    assert slots["selected_order"] == "WM-100001"


async def test_a_follow_up_with_no_order_discussed_yet_asks_which_one(services: Services) -> None:
    for number in ("WM-100001", "WM-104233"):
        grant(services.access, number, client=CLIENT)
    slots, _ = await validate(tracker("when will it get here?", "order_status", {}))
    assert slots["requested_slot"] == "selected_order"


async def test_the_orders_to_choose_from_are_buttons_titled_with_data(services: Services) -> None:
    for number in ("WM-104233", "WM-104300"):
        grant(services.access, number, client=CLIENT)
    asked, listed = CollectingDispatcher(), CollectingDispatcher()
    await ActionAskSelectedOrder().run(asked, tracker("", "order_status", {}), DOMAIN)
    history = tracker("", "order_history", {}, topic="order_history")
    await ActionOrderStatus().run(listed, history, DOMAIN)
    sent = {"utter_ask_selected_order": asked.messages[0], "utter_order_list": listed.messages[0]}
    for name, message in sent.items():
        assert message["response"] == name and message["count"] == "2"
        titles = {b["title"] for b in message["buttons"]}
        assert titles == {
            "WM-104233 · Monday, November 16 · Two-person tent",
            "WM-104300 · Monday, November 16 · Two-person tent, Sleeping bag",
        }
    assert "You have 2 orders with us" in shown(asked.messages[0])
    assert "Here are your orders with us (2)" in shown(listed.messages[0])
