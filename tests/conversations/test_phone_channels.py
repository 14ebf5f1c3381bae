"""Shoppers on SMS and WhatsApp, through the whole stack and the local fakes of Twilio and Meta.

The fakes (`wismo fakes`, a Procfile process) play the shopper's phone: each
message is signed as the platform signs it and delivered to Rasa's channel
webhook; what the bot sends comes back through the platform's API, where the
test reads it. Status updates travel the real path: an import changes a
parcel's history, the sandbox carrier sends EasyPost's signed webhook to the web
process, the notifier asks Rasa to say the notice, and Rasa sends it by SMS.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from copy import deepcopy
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.channels import identity
from bot.demo import SCENARIOS, build_demo
from tests.support.chat import NOW
from tests.support.stack import Stack

pytestmark = pytest.mark.conversation
DEMO = build_demo(datetime.fromisoformat(NOW))
ORDERS = {o["order_number"]: o for o in DEMO["orders"]}
TRACKING = {t["tracking_number"]: t for t in DEMO["tracking"]}
IN_TRANSIT = ORDERS[SCENARIOS["in_transit"]]
# A copy of the in-transit order of the shopper's own, so that its parcel can move.
SUBSCRIBED_ORDER, SUBSCRIBED_PHONE = "WM-555101", "+14155550199"
SUBSCRIBED_PARCEL = "1Z999AA10123456793"


class Phone:
    """One shopper's phone on a platform the fakes play (`twilio` or `whatsapp`)."""

    def __init__(self, stack: Stack, platform: str, number: str, **extra: str) -> None:
        self.fakes = f"http://127.0.0.1:{stack.env['FAKES_PORT']}/_fake/{platform}"
        self.platform, self.number, self.extra = platform, number, extra
        self.to = extra.get("to", number)

    def sent_to_me(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = requests.get(
            f"{self.fakes}/messages", params={"to": self.to}, timeout=10
        ).json()
        return found

    def send(self, text: str) -> dict[str, Any]:
        key = "body" if self.platform == "twilio" else "text"
        body = {"from": self.number, key: text, **self.extra}
        answer: dict[str, Any] = requests.post(
            f"{self.fakes}/inbound", json=body, timeout=30
        ).json()
        assert answer["status"] == 200, answer
        return answer

    def say(self, text: str, timeout: float = 60) -> str:
        """Send a message; every reply the bot sent for it, once the replies stop coming."""
        before = len(self.sent_to_me())
        self.send(text)
        return " / ".join(
            _body(m) for m in self.wait_for(lambda got: len(got) > before, timeout)[before:]
        )

    def wait_for(
        self, done: Callable[[list[dict[str, Any]]], bool], timeout: float
    ) -> list[dict[str, Any]]:
        deadline, got = time.monotonic() + timeout, self.sent_to_me()
        while not done(got):
            assert time.monotonic() < deadline, f"waited {timeout}s; sent so far: {got}"
            time.sleep(0.3)
            got = self.sent_to_me()
        time.sleep(1.5)  # a turn's later messages follow within moments
        return self.sent_to_me()


def _body(message: dict[str, Any]) -> str:
    if "body" in message:
        return str(message["body"])
    payload = message.get("json") or message
    text = payload.get("text", {}).get("body") or json.dumps(payload.get("interactive"))
    return str(text)


def import_document(stack: Stack, tmp_path: Path, document: dict[str, Any], name: str) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(document))
    wismo = Path(sys.executable).parent / "wismo"
    subprocess.run([str(wismo), "import", str(path)], env=stack.env, check=True)


def parcel_with(*events: dict[str, Any]) -> dict[str, Any]:
    tracking = deepcopy(TRACKING[IN_TRANSIT["shipments"][0]["tracking_number"]])
    tracking["tracking_number"] = SUBSCRIBED_PARCEL
    tracking["events"] += list(events)
    return tracking


def event(time_: str, status: str, detail: str, description: str) -> dict[str, Any]:
    place = {"city": "San Francisco", "region": "CA", "postal_code": None, "country": "US"}
    return {
        "time": time_,
        "status": status,
        "detail": detail,
        "description": description,
        "location": place,
    }


def test_an_sms_shopper_is_proven_by_their_phone_gets_one_update_per_change_and_stop_works(
    stack: Stack, tmp_path: Path
) -> None:
    order = deepcopy(IN_TRANSIT)
    order.update(order_number=SUBSCRIBED_ORDER)
    order["customer"].update(phone=SUBSCRIBED_PHONE, email="sms.shopper@example.com")
    order["shipments"][0]["tracking_number"] = SUBSCRIBED_PARCEL
    import_document(stack, tmp_path, {"orders": [order], "tracking": [parcel_with()]}, "order")
    phone = Phone(stack, "twilio", SUBSCRIBED_PHONE)

    # The phone Twilio's signature vouches for proves the order: no email asked.
    answer = phone.say(f"where is my order {SUBSCRIBED_ORDER}?")
    assert "on its way with UPS" in answer
    assert "email" not in answer.lower()
    assert "/request_human" not in answer and "sms.shopper@example.com" not in answer

    assert f"I'll text you when order {SUBSCRIBED_ORDER} moves" in phone.say("text me updates")

    # The parcel moves: one text says so, however many times the notifier looks again.
    before = len(phone.sent_to_me())
    moved = parcel_with(
        event(
            "2026-11-20T14:30:00-05:00", "out_for_delivery", "out_for_delivery", "Out for delivery"
        )
    )
    import_document(stack, tmp_path, {"orders": [], "tracking": [moved]}, "moved")
    got = phone.wait_for(lambda got: len(got) > before, timeout=60)
    update = [_body(m) for m in got[before:]]
    assert len(update) == 1, update
    assert f"order {SUBSCRIBED_ORDER}: Out for delivery" in update[0]
    assert "Reply STOP" in update[0]
    time.sleep(8)  # several notifier cycles and sandbox webhook rounds
    assert len(phone.sent_to_me()) == before + 1

    # STOP: nothing more, even when the parcel moves again.
    phone.send("STOP")
    time.sleep(3)
    stopped_at = len(phone.sent_to_me())
    delivered = parcel_with(
        moved["events"][-1],
        event("2026-11-20T14:50:00-05:00", "delivered", "delivered", "Delivered"),
    )
    import_document(stack, tmp_path, {"orders": [], "tracking": [delivered]}, "delivered")
    time.sleep(10)
    assert len(phone.sent_to_me()) == stopped_at


def test_a_forged_sms_is_refused_and_answered_with_nothing(stack: Stack) -> None:
    phone = Phone(stack, "twilio", "+14155550134")
    before = len(phone.sent_to_me())
    forged = requests.post(
        f"{stack.base_url}/webhooks/twilio/webhook",
        data={
            "From": "+14155550134",
            "To": "+15550100000",
            "Body": "where is WM-104233",
            "MessageSid": "SM" + "0" * 32,
        },
        headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        timeout=10,
    )
    assert forged.status_code == 403
    time.sleep(2)
    assert len(phone.sent_to_me()) == before


def test_a_whatsapp_shopper_is_answered_through_the_cloud_api(stack: Stack) -> None:
    number = IN_TRANSIT["customer"]["phone"].removeprefix("+")
    phone = Phone(stack, "whatsapp", number)
    answer = phone.say(f"hi, where is {IN_TRANSIT['order_number']}?")
    assert "on its way with UPS" in answer
    assert "email" not in answer.lower()


def test_rasas_http_api_answers_only_the_stacks_token(stack: Stack) -> None:
    tracker = f"{stack.base_url}/conversations/sms:+14155550199/tracker"
    assert requests.get(tracker, timeout=10).status_code == 401
    assert requests.get(tracker, params={"token": "0" * 64}, timeout=10).status_code == 401
    token = identity.rasa_api_token(stack.env["WISMO_SECRET"].encode())
    assert requests.get(tracker, params={"token": token}, timeout=10).status_code == 200


def test_texting_about_an_order_on_another_phone_asks_for_the_email(stack: Stack) -> None:
    phone = Phone(stack, "twilio", "+16465550100")
    asked = phone.say(f"where is my order {IN_TRANSIT['order_number']}?")
    assert "email address on the order" in asked
    assert "match" not in asked
    assert "on its way with UPS" in phone.say(IN_TRANSIT["customer"]["email"])


def test_no_log_of_the_stack_shows_a_texting_shoppers_phone(stack: Stack) -> None:
    """After the SMS and WhatsApp conversations above, no process logged a phone or sender id."""
    numbers = {SUBSCRIBED_PHONE, "+16465550100", IN_TRANSIT["customer"]["phone"]}
    leaks = numbers | {n[1:] for n in numbers} | {f"sms:{n}" for n in numbers}
    for name in stack.procs:
        log = (stack.workdir / f"{name}.log").read_text(errors="replace")
        found = sorted(leak for leak in leaks if leak in log)
        assert not found, f"{name}.log shows {found}"
