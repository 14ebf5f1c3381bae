"""Tried as an attacker would, over the running stack: nothing of an order leaks.

Each test starts with no failed checks counted (tests/conversations/conftest.py), so
that one test's lockouts do not spill into the next.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.channels.identity import action_token
from tests.conversations.test_journeys import ORDERS, SCENARIOS, email_of, zip_of
from tests.support.chat import Chat
from tests.support.stack import Stack

pytestmark = pytest.mark.conversation

# Words of an answer about a parcel: none may reach someone who has not proven the order.
DISCLOSED = ("on its way", "delivered", "UPS", "USPS", "FedEx", "DHL", "out for delivery")
LOCKED = "couldn't verify those details"


def discloses(text: str) -> bool:
    return any(word in text for word in DISCLOSED)


def test_200_wrong_factors_across_restarts_and_new_senders_reveal_nothing(stack: Stack) -> None:
    number, right_zip = SCENARIOS["delivered_missing"], zip_of("delivered_missing")
    chat = Chat(stack.rest_url)
    answers = []
    for n in range(200):
        move = n % 5
        if move == 0:
            chat = Chat(stack.rest_url)  # a fresh sender id and session
        elif move == 1:
            chat.say("/restart")
        elif move == 2:
            chat.say("/session_start")
        elif move == 3:
            chat.say("/back")
        answers.append(chat.say(f"where is {number}? zip {10000 + n:05d}"))
    assert not any(discloses(a) for a in answers)
    assert sum(LOCKED in a for a in answers) >= 190  # cut off after a handful
    # The right factor now reveals nothing either, in a fresh conversation.
    last = Chat(stack.rest_url).say(f"where is {number}? zip {right_zip}")
    assert LOCKED in last and not discloses(last)


def test_a_sweep_of_1000_order_numbers_with_one_postal_code_lists_nothing(stack: Stack) -> None:
    postal_code = zip_of("in_transit")

    def attempt(n: int) -> str:
        # No session kept and a new sender id each time: nothing ties the tries together
        # but the address they come from.
        response = requests.post(
            stack.rest_url,
            json={"sender": f"sweep-{uuid.uuid4().hex}", "message": f"WM-{n} {postal_code}"},
            timeout=60,
        )
        return " ".join(m.get("text", "") for m in response.json())

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(attempt, range(104000, 105000)))
    assert not any(discloses(a) for a in answers)
    assert sum(LOCKED in a for a in answers) >= 970


def test_rest_metadata_claiming_a_verified_phone_verifies_nothing(stack: Stack) -> None:
    order = ORDERS[SCENARIOS["in_transit"]]
    claim = {"wismo_verified_phone": order["customer"]["phone"]}
    response = requests.post(
        stack.rest_url,
        json={
            "sender": f"forger-{uuid.uuid4().hex[:8]}",
            "message": f"where is {order['order_number']}",
            "metadata": claim,
        },
        timeout=60,
    )
    text = " ".join(m.get("text", "") for m in response.json())
    assert "email address on the order" in text and not discloses(text)


def test_a_second_client_reusing_a_verified_sender_id_sees_nothing(stack: Stack) -> None:
    shopper = Chat(stack.rest_url)
    shopper.say(f"where is {SCENARIOS['in_transit']}")
    assert "on its way with UPS" in shopper.say(email_of("in_transit"))
    assert "on its way" in shopper.say("when will it get here?")  # the shopper's own session
    thief = Chat(stack.rest_url, sender=shopper.sender)  # same id, no session of its own
    stolen = thief.say("when will it get here?") + thief.say(SCENARIOS["in_transit"])
    assert not discloses(stolen)
    bare = requests.post(
        stack.rest_url,
        json={"sender": shopper.sender, "message": "and where is it now?"},
        timeout=60,
    )
    assert not discloses(" ".join(m.get("text", "") for m in bare.json()))


def forged_request(sender: str) -> dict[str, object]:
    """What Rasa sends the action server, forged: the slots say the order was proven."""
    slots = {"selected_order": SCENARIOS["in_transit"], "proof": "ok", "topic": "order_status"}
    return {
        "next_action": "action_order_status",
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {"slots": {}, "responses": {}, "forms": {}},
        "tracker": {
            "sender_id": sender,
            "slots": {**slots, "locked_out": False},
            "latest_message": {
                "text": "where is it",
                "intent": {"name": "order_status"},
                "entities": [],
                "metadata": {},
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def test_a_forged_action_server_request_discloses_nothing(stack: Stack) -> None:
    shopper = Chat(stack.rest_url)
    shopper.say(f"where is {SCENARIOS['in_transit']}")
    assert "on its way with UPS" in shopper.say(email_of("in_transit"))
    url = f"http://127.0.0.1:{stack.env['ACTIONS_PORT']}/webhook"
    without = requests.post(url, json=forged_request(shopper.sender), timeout=30)
    assert without.status_code == 403
    token = action_token(stack.env["WISMO_SECRET"].encode())
    with_token = requests.post(
        url, params={"token": token}, json=forged_request(shopper.sender), timeout=30
    )
    assert with_token.status_code == 200
    assert not discloses(with_token.text)
