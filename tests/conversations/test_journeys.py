"""Whole WISMO conversations with the trained model over the REST channel.

The demo data set for the fixed `NOW` is loaded; each test is one shopper.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import requests

from bot.demo import SCENARIOS, build_demo
from tests.support.chat import NOW, Chat
from tests.support.stack import Stack, procfile

pytestmark = pytest.mark.conversation
DEMO = build_demo(datetime.fromisoformat(NOW))
ORDERS = {o["order_number"]: o for o in DEMO["orders"]}


def email_of(scenario: str) -> str:
    return str(ORDERS[SCENARIOS[scenario]]["customer"]["email"])


def zip_of(scenario: str) -> str:
    return str(ORDERS[SCENARIOS[scenario]]["shipping_address"]["postal_code"])


def verified(chat: Chat, scenario: str, opener: str = "where is my order?") -> str:
    """Ask, give the order number, prove with the email; the answer."""
    assert "order number" in chat.say(opener)
    assert "email address on the order" in chat.say(SCENARIOS[scenario])
    return chat.say(email_of(scenario))


def test_in_transit_order_asked_step_by_step(chat: Chat) -> None:
    answer = verified(chat, "in_transit")
    assert "WM-104233" in answer
    assert "on its way with UPS" in answer
    assert "Last scan:" in answer and "ago" in answer
    assert "Expected delivery: Saturday, November 21 (tomorrow)" in answer
    assert "Nothing for you to do" in answer


def test_number_and_postal_code_in_one_sms_style_message(chat: Chat) -> None:
    answer = chat.say(
        f"hey wheres wm{SCENARIOS['in_transit'][3:]} my zip is {zip_of('in_transit')}"
    )
    assert "on its way with UPS" in answer
    assert "Terry Francois" not in answer and "jane.doe" not in answer


def test_out_for_delivery_says_today(chat: Chat) -> None:
    answer = verified(chat, "out_for_delivery", "when will my package get here")
    assert "out for delivery with USPS today" in answer


def test_delivered_but_missing_gets_the_missing_parcel_steps(chat: Chat) -> None:
    answer = verified(chat, "delivered_missing", "it says delivered but its not here")
    assert "was delivered by UPS" in answer
    assert "still hasn't reached you, so you can make a claim" in answer
    assert "Would you like us to send a replacement, or a refund of $227.00?" in answer


def test_late_order_explains_the_weather_delay(chat: Chat) -> None:
    answer = verified(chat, "late_weather", "my order is late, it was supposed to come days ago")
    assert "It's running late: we promised it by Wednesday, November 18." in answer
    assert "UPS reports bad weather on the way." in answer


def test_lost_parcel_offers_a_claim(chat: Chat) -> None:
    answer = verified(chat, "lost")
    assert "has a problem with UPS" in answer
    assert "UPS has reported the parcel as lost." in answer
    assert "I can open a claim for you now." in answer


def test_parcel_waiting_at_a_pickup_point(chat: Chat) -> None:
    answer = verified(chat, "available_for_pickup")
    assert "waiting for you to pick up" in answer


def test_backordered_order_gives_the_stock_date(chat: Chat) -> None:
    answer = verified(chat, "backordered")
    assert "waiting for stock" in answer and "Sunday, November 29" in answer


def test_split_order_reports_each_parcel(chat: Chat) -> None:
    answer = verified(chat, "split_shipment")
    assert "in 2 parcels" in answer
    assert "Parcel 1 of 2" in answer and "Parcel 2 of 2" in answer


def test_email_with_several_orders_picks_one_from_a_list(chat: Chat) -> None:
    chat.say("where is my order")
    assert "ZIP or postal code" in chat.say(email_of("processing"))
    listing = chat.say(zip_of("processing"))
    assert "orders with us" in listing
    numbers = [b["title"].split(" ")[0] for b in chat.buttons()]
    assert SCENARIOS["processing"] in numbers and len(numbers) >= 4
    choice = next(b for b in chat.buttons() if b["title"].startswith(SCENARIOS["processing"]))
    assert "hasn't shipped yet" in chat.say(choice["payload"])


def test_tracking_number_works_as_the_order_reference(chat: Chat) -> None:
    order = ORDERS[SCENARIOS["in_transit"]]
    chat.say("track my parcel")
    assert "email address on the order" in chat.say(order["shipments"][0]["tracking_number"])
    assert "on its way with UPS" in chat.say(zip_of("in_transit"))


def test_three_wrong_factors_lock_the_conversation(chat: Chat) -> None:
    number = SCENARIOS["in_transit"]
    chat.say(f"where is {number}")
    first = chat.say("mallory@example.com")
    assert "don't match" in first
    chat.say(number)
    assert "don't match" in chat.say("10001")
    chat.say(number)
    locked = chat.say("eve@example.net")
    assert "couldn't verify those details" in locked
    assert any(b["payload"] == "/request_human" for b in chat.buttons())
    retry = chat.say(f"where is {number}, my email is {email_of('in_transit')}")
    assert "couldn't verify those details" in retry
    assert "UPS" not in first + locked + retry


def test_an_unknown_order_number_reads_like_a_wrong_factor(chat: Chat, stack: Stack) -> None:
    other = Chat(stack.rest_url)
    chat.say("where is WM-999999")
    unknown = chat.say(email_of("in_transit"))
    other.say(f"where is {SCENARIOS['in_transit']}")
    wrong = other.say("nobody@example.com")
    assert "don't match" in unknown
    assert unknown == wrong


def test_markup_typed_by_the_shopper_is_never_echoed(chat: Chat) -> None:
    replies = chat.say(f"<script>alert(1)</script> where is {SCENARIOS['in_transit']}")
    replies += chat.say("<b>jane</b>")
    assert "<script" not in replies and "<b>" not in replies and "alert" not in replies


def test_an_import_while_the_stack_runs_is_answered_at_once(
    chat: Chat, stack: Stack, tmp_path: Path
) -> None:
    order = json.loads(json.dumps(ORDERS[SCENARIOS["processing"]]))
    order.update(order_number="WM-555001", status="on_hold")
    order["customer"]["email"] = "new.shopper@example.com"
    path = tmp_path / "new.json"
    path.write_text(json.dumps({"orders": [order]}))
    wismo = Path(sys.executable).parent / "wismo"
    subprocess.run([str(wismo), "import", str(path)], env=stack.env, check=True)
    chat.say("where is WM-555001")
    assert "is on hold" in chat.say("new.shopper@example.com")


def test_a_carrier_outage_gives_the_last_known_status_with_its_time(
    chat: Chat, stack: Stack
) -> None:
    assert "on its way with UPS" in verified(chat, "in_transit")
    sandbox = stack.procs["sandbox"]
    sandbox.terminate()
    sandbox.wait(timeout=20)
    try:
        answer = chat.say(f"and where is {SCENARIOS['in_transit']} now?")
        assert "can't reach UPS right now" in answer
        assert "last status I had, from Friday, November 20 at 3:00 pm" in answer
        assert "on its way with UPS" in answer
    finally:
        stack.start("sandbox", procfile()["sandbox"])
        # Back before the next test talks: each turn that met it still starting would count
        # towards the carrier's breaker, and five open it for the tests after.
        health = f"http://127.0.0.1:{stack.env['SANDBOX_PORT']}/healthz"
        stack.wait_until(
            lambda: requests.get(health, timeout=1).ok, 60, "the sandbox carrier restarted"
        )


def test_a_follow_up_question_stays_on_the_order_just_discussed(chat: Chat) -> None:
    number = SCENARIOS["backordered"]
    order = ORDERS[number]
    assert "on the order" in chat.say(f"track my parcel {number} please")
    assert number in chat.say(str(order["customer"]["email"]))
    follow_up = chat.say("when will it get here?")
    assert number in follow_up
    assert "Which one do you mean" not in follow_up
