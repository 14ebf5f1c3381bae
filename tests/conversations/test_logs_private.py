"""What the stack writes to its logs names no shopper: no email, phone, street or sender id.

Shoppers give the demo's order number, email, postcode, a wrong email, a phone
and a street over the REST channel; then every process's log is read. Also
over the running stack: a stranger's 100 KB message is refused at once while
another shopper is answered, and the action server serves nobody but Rasa.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
import requests

from bot.demo import build_demo
from tests.support.chat import NOW, Chat
from tests.support.stack import Stack

pytestmark = pytest.mark.conversation
DEMO = build_demo(datetime.fromisoformat(NOW))


def personal_data() -> set[str]:
    """Every demo customer's email, phone (as stored and as typed) and street line."""
    found: set[str] = set()
    for order in DEMO["orders"]:
        customer, address = order["customer"], order["shipping_address"]
        found.add(customer["email"])
        if customer.get("phone"):
            phone = customer["phone"]
            found |= {phone, phone[-10:]}
            if phone.startswith("+1"):
                found.add(f"{phone[2:5]}-{phone[5:8]}-{phone[8:]}")
                found.add(f"+1 {phone[2:5]} {phone[5:8]} {phone[8:]}")
        found.add(address["line1"])
    return found


def test_no_log_of_the_stack_shows_a_shoppers_personal_data_or_sender_id(stack: Stack) -> None:
    chats = [Chat(stack.rest_url) for _ in range(6)]
    verified, by_zip, wrong, phone, street, long = chats
    assert "email address" in verified.say("where is my order WM-104233")
    assert "WM-104233" in verified.say("jane.doe@example.com")
    verified.say("when will it get here?")
    by_zip.say("hey wheres WM-104233 my zip is 94107")
    wrong.say("where is my order WM-104233")
    wrong.say("nobody.here@example.com")
    phone.say("my phone is +1 415 555 0134, order WM-104233")
    phone.say("call me on 415-555-0134")
    street.say("please send WM-104233 to 500 Terry Francois St instead")
    street.say("jane.doe@example.com")
    long.say("jane.doe@example.com " * 200)  # over the limit: refused, never parsed
    time.sleep(1)  # let the processes write what they have
    leaks = personal_data() | {"nobody.here@example.com"} | {chat.sender for chat in chats}
    logs = {
        name: (stack.workdir / f"{name}.log").read_text(errors="replace") for name in stack.procs
    }
    assert set(logs) >= {"rasa", "actions", "sandbox"}
    assert all(logs.values()), "a process wrote no log at all"
    found = {(name, secret) for name, text in logs.items() for secret in leaks if secret in text}
    assert not found, sorted(found)


def test_a_100kb_message_is_refused_at_once_while_another_shopper_is_answered(
    stack: Stack,
) -> None:
    shopper, stranger = Chat(stack.rest_url), Chat(stack.rest_url)
    answered: dict[str, str] = {}
    talk = threading.Thread(
        target=lambda: answered.setdefault("shopper", shopper.say("where is my order WM-104233"))
    )
    talk.start()
    started = time.monotonic()
    refusal = stranger.say("a'" * 50_000)
    elapsed = time.monotonic() - started
    talk.join(timeout=60)
    assert "too long for me to read" in refusal and "2,000 characters" in refusal
    assert elapsed < 1.0
    assert "order" in answered["shopper"]


def test_a_body_over_a_megabyte_is_refused_before_it_is_parsed(stack: Stack) -> None:
    body = '{"sender": "big", "message": "' + "a" * 1_100_000 + '"}'
    response = requests.post(
        stack.rest_url, data=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 413
    assert Chat(stack.rest_url).say("hi")  # and the server goes on answering


def test_the_stacks_action_server_refuses_calls_without_rasas_token(stack: Stack) -> None:
    url = f"http://127.0.0.1:{stack.env['ACTIONS_PORT']}/webhook"
    call = {"next_action": "action_session_start", "sender_id": "x", "tracker": {}, "domain": {}}
    for params in ({}, {"token": "guess"}):
        response = requests.post(url, params=params, json=call, timeout=10)
        assert response.status_code == 403, response.text
