"""The WhatsApp Cloud channel (bot/channels/whatsapp_cloud.py) against the fake Graph API.

As in test_widget_channel.py: a small Sanic app, in a process of the Rasa
environment, loads the channel from a credentials file as `rasa run` does, with
a fake agent that answers each message with what reached Rasa. The fake Graph
API (bot/demo/fake_graph.py) runs here, in the app environment, on a free
port: it plays Meta both ways, delivering signed webhooks to the channel and
receiving its replies. A route of the test app sends a proactive message the
way Rasa's trigger_intent does: through `get_output_channel()`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from bot.channels import identity
from bot.channels.identity import IDENTITY_KEY
from bot.demo.fake_graph import FakeGraphConfig, create_app
from tests.support.stack import ROOT, free_port, serving

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

SERVER = textwrap.dedent(
    """
    import asyncio, json, sys
    from sanic import Sanic, response
    from rasa.core.channels.channel import register
    from rasa.core.run import create_http_input_channels

    channels = create_http_input_channels(None, sys.argv[2])
    assert [type(c).__name__ for c in channels] == ["WhatsAppCloudInput"], channels
    channel = channels[0]
    seen = []
    BUTTONS = [{"title": f"Order {n}", "payload": f"/pick{{\\"n\\": {n}}}"} for n in range(1, 5)]

    class Agent:
        async def handle_message(self, message):
            seen.append(message.text)
            out, sender = message.output_channel, message.sender_id
            if message.text == "buttons":
                await out.send_text_with_buttons(sender, "Is that right?", BUTTONS[:2])
            elif message.text == "many buttons":
                await out.send_text_with_buttons(sender, "Which order?", BUTTONS)
            elif message.text == "long":
                await out.send_text_message(sender, "A sentence of some length here. " * 200)
            else:
                if message.text == "slow":
                    await asyncio.sleep(2)
                answer = {
                    "text": message.text,
                    "sender": sender,
                    "input_channel": message.input_channel,
                    "metadata": message.metadata,
                }
                await out.send_text_message(sender, json.dumps(answer))

    app = Sanic("whatsapp_cloud_channel_check")
    app.ctx.agent = Agent()
    register(channels, app, route="/webhooks/")

    @app.get("/test/seen")
    async def count(request):
        return response.json(len(seen))

    @app.post("/test/notify")
    async def notify(request):
        out = channel.get_output_channel()
        for text in request.json["texts"]:
            await out.send_response(request.json["sender"], {"text": text})
        return response.json({"ok": True})

    app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False, motd=False)
    """
)


@dataclass
class Stack:
    channel: str  # the Rasa side's base URL
    graph: str  # the fake Graph API's base URL
    config: FakeGraphConfig
    secret: bytes

    def inbound(self, **message: Any) -> dict[str, Any]:
        """A shopper's message (or a receipt), delivered by the fake as Meta does."""
        answer = requests.post(f"{self.graph}/_fake/whatsapp/inbound", json=message, timeout=30)
        return answer.json()  # type: ignore[no-any-return]

    def sent(self, to: str) -> list[dict[str, Any]]:
        answer = requests.get(f"{self.graph}/_fake/whatsapp/messages", params={"to": to}, timeout=5)
        return answer.json()  # type: ignore[no-any-return]

    def wait_sent(self, to: str, count: int = 1, timeout: float = 15) -> list[dict[str, Any]]:
        """The messages sent to `to`, once there are `count` of them."""
        deadline = time.monotonic() + timeout
        while len(sent := self.sent(to)) < count:
            assert time.monotonic() < deadline, f"{len(sent)} of {count} messages: {sent}"
            time.sleep(0.1)
        return sent

    def seen(self) -> int:
        return requests.get(f"{self.channel}/test/seen", timeout=5).json()  # type: ignore[no-any-return]

    @property
    def webhook(self) -> str:
        return self.config.webhook_url


def number() -> str:
    """A shopper's WhatsApp number (wa_id) of one test."""
    return "1555" + str(secrets.randbelow(10**7)).zfill(7)


@contextmanager
def channel_and_graph(
    tmp: Path,
) -> Iterator[tuple[Stack, Callable[[], AbstractContextManager[None]]]]:
    """The fake Graph API, and a way to start the channel's process against it (again: a
    restart keeps the window file in `tmp`)."""
    credentials = tmp / "credentials.yml"
    credentials.write_text("bot.channels.whatsapp_cloud.WhatsAppCloudInput:\n")
    channel_port, graph_port = free_port(), free_port()
    config = FakeGraphConfig(
        phone_number_id="100000000000001",
        access_token=secrets.token_hex(16),
        app_secret=secrets.token_hex(16),
        verify_token=secrets.token_hex(8),
        webhook_url=f"http://127.0.0.1:{channel_port}/webhooks/whatsapp_cloud/webhook",
    )
    secret = secrets.token_hex(32)
    env = {
        **os.environ,
        "WISMO_SECRET": secret,
        "RASA_TELEMETRY_ENABLED": "false",
        "WHATSAPP_PHONE_NUMBER_ID": config.phone_number_id,
        "WHATSAPP_ACCESS_TOKEN": config.access_token,
        "WHATSAPP_APP_SECRET": config.app_secret,
        "WHATSAPP_VERIFY_TOKEN": config.verify_token,
        "WHATSAPP_GRAPH_URL": f"http://127.0.0.1:{graph_port}",
        "WHATSAPP_TEMPLATE": "order_update",
        "WHATSAPP_WINDOW_DB": str(tmp / "whatsapp-window.db"),
    }
    env.pop("MAX_MESSAGE_CHARS", None)
    graph = make_server("127.0.0.1", graph_port, create_app(config), threaded=True)
    threading.Thread(target=graph.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{channel_port}"
    command = [str(RASA_PYTHON), "-c", SERVER, str(channel_port), str(credentials)]

    def channel() -> AbstractContextManager[None]:
        return serving(command, env, f"{base}/webhooks/whatsapp_cloud/", tmp / "server.log")

    try:
        yield Stack(base, f"http://127.0.0.1:{graph_port}", config, secret.encode()), channel
    finally:
        graph.shutdown()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("whatsapp_cloud")
    with channel_and_graph(tmp) as (stack, channel), channel():
        yield stack


def reached_rasa(message: dict[str, Any]) -> dict[str, Any]:
    """What the fake agent reported reached it, from the text message it sent."""
    assert message["type"] == "text", message
    return json.loads(message["text"]["body"])  # type: ignore[no-any-return]


def test_the_handshake_with_our_verify_token_returns_the_challenge(live: Stack) -> None:
    verified = requests.post(f"{live.graph}/_fake/whatsapp/verify", json={}, timeout=10).json()
    assert verified["verified"] and verified["status"] == 200
    wrong = requests.post(
        f"{live.graph}/_fake/whatsapp/verify", json={"verify_token": "guess"}, timeout=10
    ).json()
    assert wrong["status"] == 403 and not wrong["verified"]


@pytest.mark.parametrize("signature", ["forged", "missing"])
def test_a_delivery_not_signed_with_the_app_secret_is_refused_and_never_reaches_rasa(
    live: Stack, signature: str
) -> None:
    wa_id, before = number(), live.seen()
    message = {"from": wa_id, "id": "wamid.x", "type": "text", "text": {"body": "hi"}}
    value = {"metadata": {"phone_number_id": live.config.phone_number_id}, "messages": [message]}
    body = json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}
    )
    mac = hmac.new(b"not the app secret", body.encode(), hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": f"sha256={mac}"} if signature == "forged" else {}
    answer = requests.post(live.webhook, data=body, headers=headers, timeout=10)
    assert answer.status_code == 403
    time.sleep(0.5)
    assert live.seen() == before and live.sent(wa_id) == []


def test_a_message_is_acknowledged_at_once_and_answered_with_the_phone_sealed(
    live: Stack,
) -> None:
    wa_id = number()
    delivered = live.inbound(**{"from": wa_id, "text": "slow"})
    assert delivered["status"] == 200 and delivered["seconds"] < 1  # the agent takes 2 s
    [reply] = live.wait_sent(wa_id)
    assert reply["to"] == wa_id and reply["text"]["preview_url"] is False
    seen = reached_rasa(reply)
    assert (seen["sender"], seen["input_channel"]) == (f"wa:+{wa_id}", "whatsapp_cloud")
    assert set(seen["metadata"]) == {IDENTITY_KEY}
    sealed = identity.unseal(seen["metadata"][IDENTITY_KEY], live.secret)
    assert sealed is not None
    assert (sealed.channel, sealed.conversation, sealed.subject, sealed.phone) == (
        "whatsapp_cloud",
        f"wa:+{wa_id}",
        f"+{wa_id}",
        f"+{wa_id}",
    )


def test_meta_delivering_a_message_twice_gets_one_answer(live: Stack) -> None:
    wa_id = number()
    for _ in range(2):
        assert (
            live.inbound(**{"from": wa_id, "text": "hi", "id": f"wamid.{wa_id}"})["status"] == 200
        )
    live.wait_sent(wa_id)
    time.sleep(1)
    assert len(live.sent(wa_id)) == 1


def test_a_few_short_buttons_are_reply_buttons_and_a_tap_comes_back_as_its_payload(
    live: Stack,
) -> None:
    wa_id = number()
    live.inbound(**{"from": wa_id, "text": "buttons"})
    [offer] = live.wait_sent(wa_id)
    assert offer["type"] == "interactive"
    assert offer["interactive"]["body"] == {"text": "Is that right?"}
    replies = [b["reply"] for b in offer["interactive"]["action"]["buttons"]]
    assert [r["title"] for r in replies] == ["Order 1", "Order 2"]
    live.inbound(**{"from": wa_id, "button_id": replies[1]["id"], "button_title": "Order 2"})
    assert reached_rasa(live.wait_sent(wa_id, 2)[1])["text"] == '/pick{"n": 2}'


def test_more_than_three_buttons_are_a_numbered_list_and_a_number_picks(live: Stack) -> None:
    wa_id = number()
    live.inbound(**{"from": wa_id, "text": "many buttons"})
    [offer] = live.wait_sent(wa_id)
    assert offer["text"]["body"].splitlines() == [
        "Which order?",
        "1. Order 1",
        "2. Order 2",
        "3. Order 3",
        "4. Order 4",
        "Reply with a number.",
    ]
    live.inbound(**{"from": wa_id, "text": "2"})
    assert reached_rasa(live.wait_sent(wa_id, 2)[1])["text"] == '/pick{"n": 2}'
    live.inbound(**{"from": wa_id, "text": "2"})  # the list was answered: "2" is just "2"
    assert reached_rasa(live.wait_sent(wa_id, 3)[2])["text"] == "2"


def test_a_long_answer_arrives_in_parts_whatsapp_accepts(live: Stack) -> None:
    wa_id = number()
    live.inbound(**{"from": wa_id, "text": "long"})
    parts = live.wait_sent(wa_id, 2)
    bodies = [p["text"]["body"] for p in parts]
    assert all(len(b) <= 4096 and b.endswith("here.") for b in bodies)
    assert " ".join(bodies) == ("A sentence of some length here. " * 200).strip()


def test_a_read_receipt_produces_nothing(live: Stack) -> None:
    wa_id = number()
    live.inbound(**{"from": wa_id, "text": "hi"})
    live.wait_sent(wa_id)
    before = live.seen()
    assert live.inbound(**{"from": wa_id, "status": "read"})["status"] == 200
    time.sleep(1)
    assert live.seen() == before and len(live.sent(wa_id)) == 1


def test_a_photo_is_answered_that_only_text_is_read(live: Stack) -> None:
    wa_id, before = number(), live.seen()
    live.inbound(**{"from": wa_id, "type": "image"})
    [reply] = live.wait_sent(wa_id)
    assert "only read text" in reply["text"]["body"]
    assert live.seen() == before


def test_someone_who_has_not_written_in_24_hours_gets_one_template(live: Stack) -> None:
    wa_id = number()  # never wrote to this server: as after a restart
    texts = ["Your order 1001 is out for delivery.", "It should arrive\ntoday."]
    requests.post(
        f"{live.channel}/test/notify", json={"sender": f"wa:+{wa_id}", "texts": texts}, timeout=10
    ).raise_for_status()
    [template] = live.wait_sent(wa_id)
    time.sleep(1)
    assert len(live.sent(wa_id)) == 1
    assert template["type"] == "template"
    assert template["template"]["name"] == "order_update"
    assert template["template"]["language"] == {"code": "en_US"}
    [body] = template["template"]["components"]
    assert body["parameters"] == [
        {
            "type": "text",
            "text": "Your order 1001 is out for delivery. · It should arrive · today.",
        }
    ]
    # Meta refuses free text outside the window, as the fake does.
    refused = requests.post(
        f"{live.graph}/{live.config.graph_version}/{live.config.phone_number_id}/messages",
        json={"messaging_product": "whatsapp", "to": wa_id, "type": "text", "text": {"body": "x"}},
        headers={"Authorization": f"Bearer {live.config.access_token}"},
        timeout=10,
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 131047


def test_someone_who_wrote_today_gets_a_proactive_message_as_plain_text(live: Stack) -> None:
    wa_id = number()
    live.inbound(**{"from": wa_id, "text": "hi"})
    live.wait_sent(wa_id)
    requests.post(
        f"{live.channel}/test/notify",
        json={"sender": f"wa:+{wa_id}", "texts": ["Delivered.", "Enjoy!"]},
        timeout=10,
    ).raise_for_status()
    later = live.wait_sent(wa_id, 3)[1:]
    assert [(m["type"], m["text"]["body"]) for m in later] == [
        ("text", "Delivered."),
        ("text", "Enjoy!"),
    ]


def test_after_a_restart_someone_who_wrote_before_it_still_gets_plain_text(
    tmp_path: Path,
) -> None:
    wa_id = number()
    with channel_and_graph(tmp_path) as (stack, channel):
        with channel():
            stack.inbound(**{"from": wa_id, "text": "hi"})
            stack.wait_sent(wa_id)
        with channel():  # the Rasa server restarted: its memory is gone
            requests.post(
                f"{stack.channel}/test/notify",
                json={"sender": f"wa:+{wa_id}", "texts": ["Delivered."]},
                timeout=10,
            ).raise_for_status()
            later = stack.wait_sent(wa_id, 2)[1:]
        assert [(m["type"], m.get("text", {}).get("body")) for m in later] == [
            ("text", "Delivered.")
        ]
    # What the file keeps is not the shopper's number.
    kept = b"".join(p.read_bytes() for p in tmp_path.glob("whatsapp-window.db*"))
    assert kept and wa_id.encode() not in kept


def test_the_graph_api_failing_twice_still_delivers_the_answer_once(live: Stack) -> None:
    wa_id = number()
    requests.post(
        f"{live.graph}/_fake/whatsapp/fail", json={"status": 500, "times": 2}, timeout=5
    ).raise_for_status()
    live.inbound(**{"from": wa_id, "text": "hi"})
    [reply] = live.wait_sent(wa_id)
    assert reached_rasa(reply)["text"] == "hi"
    time.sleep(3)
    assert len(live.sent(wa_id)) == 1


def test_the_graph_api_refuses_a_wrong_token(live: Stack) -> None:
    answer = requests.post(
        f"{live.graph}/{live.config.graph_version}/{live.config.phone_number_id}/messages",
        json={"messaging_product": "whatsapp", "to": "15550000000", "type": "template"},
        headers={"Authorization": "Bearer wrong"},
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "OAuthException"
    assert answer.json()["error"]["code"] == 190
