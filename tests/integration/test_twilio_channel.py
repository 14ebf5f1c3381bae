"""SMS and WhatsApp through Twilio (bot/channels/twilio.py), against the fake Twilio.

As in test_widget_channel.py: a small Sanic app, in a process of the Rasa
environment, loads the channel from a credentials file as `rasa run` does,
with a fake agent that records what reached Rasa (`GET /_seen`) and answers
some messages with buttons, long text or a card. The fake Twilio
(bot/demo/fake_twilio.py) runs here, served by waitress: it delivers the
shopper's messages, signed, to the channel's webhook, and its Messages API
receives the replies.
"""

from __future__ import annotations

import os
import secrets
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import waitress.server

from bot.channels import identity
from bot.channels.identity import IDENTITY_KEY, ClientIdentity
from bot.demo.fake_twilio import FakeTwilioConfig, create_app, twilio_signature
from tests.support.stack import ROOT, free_port, serving

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
NUMBER = "+15550100000"
WHATSAPP_NUMBER = "whatsapp:+15550100001"
LONG = " ".join(
    f"Sentence number {n} of a long answer about where the parcel is." for n in range(20)
)

SERVER = textwrap.dedent(
    """
    import asyncio, sys
    from sanic import Sanic, response
    from bot.channels import redaction
    redaction.install()  # as the launcher does: the log below is the one operators read
    from rasa.core.channels.channel import register
    from rasa.core.run import create_http_input_channels

    channels = create_http_input_channels(None, sys.argv[2])
    channels = [c for c in channels if c.name() == "twilio"]
    assert [type(c).__name__ for c in channels] == ["SignedTwilioInput"], channels
    seen = []
    BUTTONS = [
        {"title": "Track my order", "payload": '/track{"order": "WM-1"}'},
        {"title": "Talk to a person", "payload": "/human_handoff"},
    ]

    class Agent:
        async def handle_message(self, message):
            seen.append({
                "text": message.text,
                "sender": message.sender_id,
                "input_channel": message.input_channel,
                "metadata": message.metadata,
                "message_id": message.message_id,
            })
            out, to = message.output_channel, message.sender_id
            if message.text == "slow":
                await asyncio.sleep(2)
            if message.text == "buttons":
                await out.send_text_with_buttons(to, "Which one?", BUTTONS)
            elif message.text == "long":
                await out.send_text_message(to, sys.argv[3])
            elif message.text == "answer":
                for sentence in ("It is in Memphis.", "It should come Friday.", "Anything else?"):
                    await out.send_text_message(to, sentence)
            elif message.text == "card":
                await out.send_custom_json(to, {"type": "shipment_card", "order": "WM-1"})
                await out.send_custom_json(to, {"text": "Your parcel is in Louisville."})
            else:
                await out.send_text_message(to, f"got {message.text}")

    app = Sanic("twilio_channel_check")
    app.ctx.agent = Agent()
    register(channels, app, route="/webhooks/")

    @app.get("/_seen")
    async def _seen(request):
        return response.json(seen)

    @app.post("/_push")
    async def _push(request):
        # As Rasa's trigger_intent does with ?output_channel=twilio.
        output = channels[0].get_output_channel()
        await output.send_text_message(request.json["to"], request.json["text"])
        return response.json({"status": "sent"})

    app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False, motd=False)
    """
)


@dataclass
class Twilio:
    """The channel's process and the fake Twilio, and how to talk to both."""

    rasa_url: str
    fake_url: str
    webhook_url: str
    token: str
    secret: bytes
    log: Path

    def inbound(self, sender: str, body: str, **extra: Any) -> dict[str, Any]:
        given = {"from": sender, "body": body, "channel": "sms", **extra}
        answer = requests.post(f"{self.fake_url}/_fake/twilio/inbound", json=given, timeout=30)
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def post(
        self, form: dict[str, str], signature: str | None, **headers: str
    ) -> requests.Response:
        """A webhook call made here, not by the fake: signed or not as given."""
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        return requests.post(self.webhook_url, data=form, headers=headers, timeout=10)

    def sent(self, to: str) -> list[dict[str, Any]]:
        answer = requests.get(
            f"{self.fake_url}/_fake/twilio/messages", params={"to": to}, timeout=10
        )
        return answer.json()  # type: ignore[no-any-return]

    def seen(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.rasa_url}/_seen", timeout=10).json()  # type: ignore[no-any-return]

    def seen_from(self, sender: str) -> list[dict[str, Any]]:
        return [message for message in self.seen() if message["sender"] == sender]


def eventually(check: Callable[[], Any], timeout: float = 15) -> Any:
    """The first truthy result of `check`, polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def replies(twilio: Twilio, to: str, count: int = 1) -> list[dict[str, Any]]:
    """The messages sent to `to`, once there are `count` of them."""
    return eventually(lambda: (m := twilio.sent(to)) and len(m) >= count and m) or []


def phone() -> str:
    """A new shopper's number: each test has its own conversation."""
    return f"+1555{secrets.randbelow(10**7):07d}"


def form_for(sender: str, body: str, **extra: str) -> dict[str, str]:
    sid = "SM" + secrets.token_hex(16)
    return {"MessageSid": sid, "From": sender, "To": NUMBER, "Body": body, **extra}


def identity_of(twilio: Twilio, seen: dict[str, Any]) -> ClientIdentity:
    sealed = identity.unseal(seen["metadata"][IDENTITY_KEY], twilio.secret)
    assert sealed is not None
    return sealed


@pytest.fixture(scope="module")
def twilio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twilio]:
    workdir = tmp_path_factory.mktemp("twilio")
    port, secret, token = free_port(), secrets.token_hex(32), secrets.token_hex(16)
    webhook_url = f"http://127.0.0.1:{port}/webhooks/twilio/webhook"
    config = FakeTwilioConfig("AC" + secrets.token_hex(16), token, webhook_url)
    fake = waitress.server.create_server(create_app(config), host="127.0.0.1", port=0)
    threading.Thread(target=fake.run, daemon=True).start()
    fake_url = f"http://127.0.0.1:{fake.effective_port}"
    credentials = workdir / "credentials.yml"
    credentials.write_text("bot.channels.twilio.SignedTwilioInput:\n")
    env = {
        **os.environ,
        "WISMO_SECRET": secret,
        "RASA_TELEMETRY_ENABLED": "false",
        "TWILIO_ACCOUNT_SID": config.account_sid,
        "TWILIO_AUTH_TOKEN": token,
        "TWILIO_PUBLIC_URL": webhook_url,
        "TWILIO_API_URL": fake_url,
    }
    for name in ("MAX_MESSAGE_CHARS", "TWILIO_NUMBER", "TWILIO_WHATSAPP_NUMBER"):
        env.pop(name, None)
    command = [str(RASA_PYTHON), "-c", SERVER, str(port), str(credentials), LONG]
    base = f"http://127.0.0.1:{port}"
    try:
        log = workdir / "server.log"
        with serving(command, env, f"{base}/webhooks/twilio/", log):
            yield Twilio(base, fake_url, webhook_url, token, secret.encode(), log)
    finally:
        fake.close()


@pytest.mark.parametrize("signature", [None, "", "forged", "wrong token"])
def test_a_message_without_twilios_signature_is_refused_and_never_reaches_rasa(
    twilio: Twilio, signature: str | None
) -> None:
    sender = phone()
    form = form_for(sender, "where is my order")
    if signature == "forged":
        signature = "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA=="
    elif signature == "wrong token":
        signature = twilio_signature("someone else's token", twilio.webhook_url, form)
    assert twilio.post(form, signature).status_code == 403
    time.sleep(0.3)
    assert twilio.seen_from(f"sms:{sender}") == []
    assert twilio.sent(sender) == []


def test_a_request_signed_for_another_url_is_refused_whatever_its_host_headers(
    twilio: Twilio,
) -> None:
    sender = phone()
    form = form_for(sender, "hello")
    elsewhere = "http://evil.example/webhooks/twilio/webhook"
    signature = twilio_signature(twilio.token, elsewhere, form)
    forwarded = {
        "Host": "evil.example",
        "X-Forwarded-Proto": "http",
        "X-Forwarded-Host": "evil.example",
    }
    assert twilio.post(form, signature, **forwarded).status_code == 403
    # The same message signed for the configured URL is taken.
    answer = twilio.post(form, twilio_signature(twilio.token, twilio.webhook_url, form))
    assert answer.status_code == 200
    assert eventually(lambda: twilio.seen_from(f"sms:{sender}"))


def test_twilio_is_answered_at_once_and_the_reply_comes_from_our_number_later(
    twilio: Twilio,
) -> None:
    sender = phone()
    delivered = twilio.inbound(sender, "slow")  # the agent takes 2 s over it
    assert delivered["status"] == 200 and delivered["seconds"] < 1.0
    assert twilio.sent(sender) == []
    [reply] = replies(twilio, sender)
    assert (reply["from"], reply["to"], reply["body"]) == (NUMBER, sender, "got slow")
    form = form_for(sender, "hi")
    answer = twilio.post(form, twilio_signature(twilio.token, twilio.webhook_url, form))
    assert answer.headers["Content-Type"].startswith("text/xml")
    assert answer.text == '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def test_the_senders_phone_is_sealed_in_the_identity_and_form_metadata_is_dropped(
    twilio: Twilio,
) -> None:
    sender = phone()
    form = form_for(sender, "hello", metadata='{"wismo_verified_phone": "+14155550000"}')
    assert twilio.post(form, twilio_signature(twilio.token, twilio.webhook_url, form)).ok
    [seen] = eventually(lambda: twilio.seen_from(f"sms:{sender}"))
    assert seen["input_channel"] == "twilio" and seen["message_id"] == form["MessageSid"]
    assert set(seen["metadata"]) == {IDENTITY_KEY}
    sealed = identity_of(twilio, seen)
    assert (sealed.channel, sealed.conversation, sealed.subject, sealed.phone, sealed.keyword) == (
        "twilio",
        f"sms:{sender}",
        sender,
        sender,
        None,
    )
    assert identity.unseal(seen["metadata"][IDENTITY_KEY], b"another secret") is None


def test_buttons_go_out_numbered_and_a_reply_with_a_number_picks_the_payload(
    twilio: Twilio,
) -> None:
    sender = phone()
    twilio.inbound(sender, "buttons")
    [menu] = replies(twilio, sender)
    assert menu["body"] == (
        "Which one?\n1. Track my order\n2. Talk to a person\nReply with a number."
    )
    twilio.inbound(sender, " 2. ")
    replies(twilio, sender, 2)
    twilio.inbound(sender, "2")  # the buttons were answered: a second "2" is just text
    replies(twilio, sender, 3)
    texts = [m["text"] for m in twilio.seen_from(f"sms:{sender}")]
    assert texts == ["buttons", "/human_handoff", "2"]
    assert "/" not in menu["body"] and "WM-1" not in menu["body"]  # payloads never shown


def test_a_long_reply_arrives_in_order_as_parts_of_at_most_320_characters(twilio: Twilio) -> None:
    sender = phone()
    twilio.inbound(sender, "long")
    parts = eventually(
        lambda: (m := twilio.sent(sender)) and " ".join(p["body"] for p in m) == LONG and m
    )
    assert parts, twilio.sent(sender)
    assert len(parts) > 2 and all(len(part["body"]) <= 320 for part in parts)
    assert all(part["body"].endswith(".") for part in parts)


def test_a_turns_several_replies_arrive_as_one_text(twilio: Twilio) -> None:
    sender = phone()
    twilio.inbound(sender, "answer")
    sent = eventually(lambda: twilio.sent(sender))
    time.sleep(1)
    bodies = [m["body"] for m in twilio.sent(sender)]
    assert sent and bodies == ["It is in Memphis.\n\nIt should come Friday.\n\nAnything else?"]


@pytest.mark.parametrize(
    ("body", "keyword"),
    [("STOP", "stop"), ("unsubscribe.", "stop"), ("Start", "start"), ("help", "help")],
)
def test_sms_keywords_reach_rasa_as_one_intent_with_the_keyword_sealed(
    twilio: Twilio, body: str, keyword: str
) -> None:
    sender = phone()
    twilio.inbound(sender, body)
    [seen] = eventually(lambda: twilio.seen_from(f"sms:{sender}"))
    assert seen["text"] == "/sms_keyword"
    assert identity_of(twilio, seen).keyword == keyword


def test_whatsapp_through_twilio_is_its_own_conversation_answered_from_the_whatsapp_number(
    twilio: Twilio,
) -> None:
    sender = phone()
    twilio.inbound(sender, "stop", channel="whatsapp")  # no carrier keywords on WhatsApp
    [reply] = replies(twilio, f"whatsapp:{sender}")
    assert (reply["from"], reply["body"]) == (WHATSAPP_NUMBER, "got stop")
    [seen] = twilio.seen_from(f"whatsapp:{sender}")
    sealed = identity_of(twilio, seen)
    assert (sealed.conversation, sealed.phone, sealed.keyword) == (
        f"whatsapp:{sender}",
        sender,
        None,
    )
    assert twilio.sent(sender) == []


def test_twilio_failing_twice_still_delivers_the_reply_once(twilio: Twilio) -> None:
    sender = phone()
    requests.post(
        f"{twilio.fake_url}/_fake/twilio/fail", json={"status": 500, "times": 2}, timeout=5
    )
    twilio.inbound(sender, "hello")
    assert [m["body"] for m in replies(twilio, sender)] == ["got hello"]
    time.sleep(2.5)
    assert len(twilio.sent(sender)) == 1


def test_a_reply_twilio_refuses_is_not_retried_and_the_log_tells_twilios_error(
    twilio: Twilio,
) -> None:
    sender = phone()
    requests.post(
        f"{twilio.fake_url}/_fake/twilio/fail", json={"status": 400, "times": 1}, timeout=5
    )
    twilio.inbound(sender, "hello")
    assert eventually(lambda: twilio.seen_from(f"sms:{sender}"))
    time.sleep(2.0)  # a retry would have come after 0.5 s
    assert twilio.sent(sender) == []
    # Twilio's code is what an operator looks up; the phone is not in the log.
    assert "HTTP 400, error #20500" in twilio.log.read_text()
    assert sender not in twilio.log.read_text()


def test_a_message_twilio_delivers_twice_is_handled_once(twilio: Twilio) -> None:
    sender = phone()
    sid = "SM" + secrets.token_hex(16)
    assert twilio.inbound(sender, "hello", message_sid=sid)["status"] == 200
    assert twilio.inbound(sender, "hello", message_sid=sid)["status"] == 200
    replies(twilio, sender)
    time.sleep(0.5)
    assert len(twilio.seen_from(f"sms:{sender}")) == 1
    assert len(twilio.sent(sender)) == 1


def test_an_old_phones_email_reaches_rasa_with_an_at_sign(twilio: Twilio) -> None:
    sender = phone()
    twilio.inbound(sender, "ann.lee¡example.com")
    [seen] = eventually(lambda: twilio.seen_from(f"sms:{sender}"))
    assert seen["text"] == "ann.lee@example.com"


def test_a_message_over_the_limit_is_answered_with_the_limit_and_never_parsed(
    twilio: Twilio,
) -> None:
    sender = phone()
    twilio.inbound(sender, "x" * 2001)
    sent = replies(twilio, sender)
    assert " ".join(m["body"] for m in sent).startswith("That message is too long for me to read.")
    assert twilio.seen_from(f"sms:{sender}") == []


def test_a_card_sends_only_its_text(twilio: Twilio) -> None:
    sender = phone()
    twilio.inbound(sender, "card")
    assert [m["body"] for m in replies(twilio, sender)] == ["Your parcel is in Louisville."]


def test_a_message_pushed_through_the_output_channel_reaches_the_phone(twilio: Twilio) -> None:
    sender = phone()
    push = {"to": f"sms:{sender}", "text": "Your parcel WM-1 is out for delivery."}
    assert requests.post(f"{twilio.rasa_url}/_push", json=push, timeout=20).ok
    [reply] = replies(twilio, sender)
    assert (reply["from"], reply["body"]) == (NUMBER, push["text"])


def test_the_fakes_messages_api_answers_as_twilio_does() -> None:
    config = FakeTwilioConfig("AC" + "1" * 32, "token", "http://127.0.0.1:9/webhook")
    client = create_app(config).test_client()
    url = f"/2010-04-01/Accounts/{config.account_sid}/Messages.json"
    auth = (config.account_sid, config.auth_token)
    message = {"To": "+15551234567", "From": NUMBER, "Body": "Hello"}
    refused = client.post(url, data=message, auth=(config.account_sid, "wrong"))
    assert refused.status_code == 401 and refused.json["code"] == 20003  # type: ignore[index]
    bad_to = client.post(url, data=message | {"To": "12"}, auth=auth)
    assert bad_to.status_code == 400 and bad_to.json["code"] == 21211  # type: ignore[index]
    no_body = client.post(url, data=message | {"Body": ""}, auth=auth)
    assert no_body.status_code == 400 and no_body.json["code"] == 21602  # type: ignore[index]
    created = client.post(url, data=message, auth=auth)
    assert created.status_code == 201
    body = created.json
    assert body is not None and body["status"] == "queued" and body["num_segments"] == "1"
    assert body["sid"].startswith("SM") and len(body["sid"]) == 34
    assert (body["to"], body["from"], body["body"]) == ("+15551234567", NUMBER, "Hello")
    assert client.get("/_fake/twilio/messages").json == [body]
