"""The REST channel (bot/channels/rest.py) vouches only for what it saw itself.

The channel runs inside the Rasa environment (Python 3.10), as this test does: a
small Sanic app, in a process of its own, loads it from credentials.yml as `rasa
run` does, registers it with Rasa's own `register` under /webhooks/, and stands a
fake agent behind it that answers each message with what reached Rasa (sender,
input channel, metadata). The requests come from here.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot.channels import identity
from bot.channels.identity import IDENTITY_KEY, ClientIdentity
from tests.support.stack import free_port, serving

SERVER = textwrap.dedent(
    """
    import asyncio, json, sys
    from sanic import Sanic
    from rasa.core.channels.channel import register
    from rasa.core.run import create_http_input_channels

    channels = create_http_input_channels(None, "credentials.yml")
    channels = [c for c in channels if c.name() == "rest"]
    assert [type(c).__name__ for c in channels] == ["SessionRestInput"], channels
    seen = []

    class Agent:
        async def handle_message(self, message):
            seen.append(message.text)
            if message.text == "slow":
                await asyncio.sleep(1.5)
            answer = {
                "sender": message.sender_id,
                "input_channel": message.input_channel,
                "metadata": message.metadata,
                "seen": len(seen),
            }
            await message.output_channel.send_text_message(message.sender_id, json.dumps(answer))

    app = Sanic("rest_channel_check")
    app.ctx.agent = Agent()
    register(channels, app, route="/webhooks/")
    app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False, motd=False)
    """
)
TOO_LONG = (
    "That message is too long for me to read. Please send a shorter one (up to 2,000 characters)."
)


@dataclass
class Channel:
    url: str
    secret: bytes

    def post(
        self, body: object, http: requests.Session | None = None, **kw: object
    ) -> requests.Response:
        return (http or requests).post(self.url, json=body, timeout=30, **kw)  # type: ignore[arg-type]

    def seen(self, response: requests.Response) -> dict[str, object]:
        """What reached Rasa, as the fake agent reported it."""
        assert response.status_code == 200, response.text
        replies = response.json()
        assert len(replies) == 1, replies
        return json.loads(replies[0]["text"])  # type: ignore[no-any-return]

    def identity(self, response: requests.Response) -> ClientIdentity:
        metadata = self.seen(response)["metadata"]
        assert isinstance(metadata, dict) and set(metadata) == {IDENTITY_KEY}, metadata
        sealed = identity.unseal(metadata[IDENTITY_KEY], self.secret)
        assert sealed is not None
        return sealed


@contextmanager
def running(workdir: Path, **settings: str) -> Iterator[Channel]:
    secret = secrets.token_hex(32)
    port = free_port()
    env = {**os.environ, "WISMO_SECRET": secret, "RASA_TELEMETRY_ENABLED": "false", **settings}
    env.pop("MAX_MESSAGE_CHARS", None)
    base = f"http://127.0.0.1:{port}/webhooks/rest"
    with serving([sys.executable, "-c", SERVER, str(port)], env, f"{base}/", workdir / "log"):
        yield Channel(f"{base}/webhook", secret.encode())


@pytest.fixture(scope="module")
def channel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Channel]:
    with running(tmp_path_factory.mktemp("rest")) as started:
        yield started


def test_client_metadata_is_dropped_and_only_the_sealed_identity_reaches_rasa(
    channel: Channel,
) -> None:
    claimed = {
        "wismo_verified_phone": "+14155550134",
        IDENTITY_KEY: identity.seal(ClientIdentity("twilio", "x", "+14155550134"), b"guess"),
    }
    response = channel.post(
        {"sender": "shopper-1", "message": "hi", "metadata": claimed, "input_channel": "twilio"}
    )
    seen = channel.seen(response)
    assert seen["sender"] == "shopper-1"
    assert seen["input_channel"] == "rest"
    sealed = channel.identity(response)
    assert sealed.channel == "rest"
    assert sealed.conversation == "shopper-1"
    assert sealed.address == "127.0.0.1"
    assert sealed.phone is None
    assert (
        sealed.subject
        == identity.verify(channel.secret, "rest-session", response.headers["X-Wismo-Session"])[
            "sid"
        ]
    )  # type: ignore[index]


def test_the_address_is_the_peers_whatever_a_client_writes_in_x_forwarded_for(
    channel: Channel,
) -> None:
    forged = {"X-Forwarded-For": "198.51.100.7"}
    response = channel.post({"sender": "shopper-9", "message": "hi"}, headers=forged)
    assert channel.identity(response).address == "127.0.0.1"


def test_behind_the_proxies_the_operator_counted_the_address_is_the_one_they_forwarded_for(
    tmp_path: Path,
) -> None:
    with running(tmp_path, SANIC_PROXIES_COUNT="1") as proxied:
        # A client's own entry first, then the one the proxy appended: the proxy's counts.
        headers = {"X-Forwarded-For": "203.0.113.66, 198.51.100.7"}
        response = proxied.post({"sender": "shopper-9", "message": "hi"}, headers=headers)
        assert proxied.identity(response).address == "198.51.100.7"


def test_a_session_is_issued_as_an_httponly_strict_cookie_and_round_trips(channel: Channel) -> None:
    http = requests.Session()
    first = channel.post({"sender": "shopper-2", "message": "hi"}, http)
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("wismo_session=")
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert http.cookies.get("wismo_session") == first.headers["X-Wismo-Session"]
    subject = channel.identity(first).subject
    second = channel.post({"sender": "shopper-2", "message": "and now?"}, http)
    assert channel.identity(second).subject == subject
    assert second.headers["X-Wismo-Session"] == first.headers["X-Wismo-Session"]
    # A client without cookies presents the header instead.
    token = first.headers["X-Wismo-Session"]
    by_header = channel.post(
        {"sender": "shopper-2", "message": "hi"}, headers={"X-Wismo-Session": token}
    )
    assert channel.identity(by_header).subject == subject
    # Another client reusing the sender id, without the token, is someone else.
    stranger = channel.post({"sender": "shopper-2", "message": "hi"})
    assert channel.identity(stranger).subject != subject


def _altered(token: str) -> str:
    body, _, mac = token.partition(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["sid"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{forged}.{mac}"


def test_a_forged_or_altered_session_token_gets_a_new_session(channel: Channel) -> None:
    token = channel.post({"sender": "shopper-3", "message": "hi"}).headers["X-Wismo-Session"]
    subject = identity.verify(channel.secret, "rest-session", token)["sid"]  # type: ignore[index]
    other_secret = identity.sign(b"not-the-secret", "rest-session", {"sid": subject})
    for bad in (_altered(token), other_secret, token[:-2], "garbage"):
        for presented in (
            {"headers": {"X-Wismo-Session": bad}},
            {"cookies": {"wismo_session": bad}},
        ):
            response = channel.post({"sender": "shopper-3", "message": "hi"}, **presented)
            fresh = channel.identity(response).subject
            assert fresh not in (subject, "someone-else"), bad
            assert response.headers["X-Wismo-Session"] not in (bad, token)


def test_an_over_long_message_is_refused_at_once_while_another_shopper_is_answered(
    channel: Channel,
) -> None:
    answers: dict[str, requests.Response] = {}
    other = threading.Thread(
        target=lambda: answers.setdefault(
            "other", channel.post({"sender": "s4b", "message": "slow"})
        )
    )
    other.start()
    time.sleep(0.2)  # the other shopper's message is being handled
    for stream in (False, True):
        started = time.monotonic()
        response = channel.post(
            {"sender": "shopper-4", "message": "a'" * 50_000},
            params={"stream": "true"} if stream else None,
        )
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        replies = (
            [json.loads(line) for line in response.text.splitlines() if line]
            if stream
            else response.json()
        )
        assert replies == [{"recipient_id": "shopper-4", "text": TOO_LONG}]
        assert elapsed < 1.0
        assert response.headers["X-Wismo-Session"]
    other.join(timeout=30)
    assert channel.seen(answers["other"])["sender"] == "s4b"
    # Exactly at the limit it is read.
    assert channel.seen(channel.post({"sender": "shopper-4", "message": "a" * 2000}))


def test_the_streaming_path_carries_only_the_sealed_identity_too(channel: Channel) -> None:
    response = channel.post(
        {"sender": "shopper-5", "message": "hi", "metadata": {"wismo_verified_phone": "+1415"}},
        params={"stream": "true"},
    )
    assert response.status_code == 200
    replies = [json.loads(line) for line in response.text.splitlines() if line]
    seen = json.loads(replies[0]["text"])
    assert set(seen["metadata"]) == {IDENTITY_KEY}
    sealed = identity.unseal(seen["metadata"][IDENTITY_KEY], channel.secret)
    assert sealed is not None and sealed.conversation == "shopper-5"
    assert response.headers["X-Wismo-Session"]


@pytest.mark.parametrize(
    "body",
    [
        {"sender": 123, "message": "hi"},
        {"sender": None, "message": "hi"},
        {"message": "hi"},
        {"sender": "", "message": "hi"},
        {"sender": "s" * 129, "message": "hi"},
        {"sender": {"id": "x"}, "message": "hi"},
        {"sender": "ok", "message": 5},
        ["sender", "message"],
    ],
)
def test_a_sender_that_is_not_a_short_string_is_a_client_error(
    channel: Channel, body: object
) -> None:
    response = channel.post(body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert channel.post({"sender": "s" * 128, "message": "hi"}).status_code == 200


@pytest.mark.parametrize("sender", ["sms:+15551234567", "whatsapp:+15551234567", "WA:+1555"])
def test_a_rest_client_cannot_take_over_a_phone_conversation(channel: Channel, sender: str) -> None:
    """Phone channels name conversations after the verified phone; REST may not borrow one."""
    response = channel.post({"sender": sender, "message": "where is my order?"})
    assert response.status_code == 400
    assert "phone channel" in response.json()["error"]
