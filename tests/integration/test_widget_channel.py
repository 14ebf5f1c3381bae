"""The widget's socket.io channel (bot/channels/widget.py): only server-issued sessions.

As in tests/rasa_side/test_rest_channel.py: a small Sanic app, in a process of
the Rasa environment, loads the channels from credentials.yml as `rasa run`
does, with a fake agent that answers each message with what reached Rasa. A
real socket.io client (python-socketio over WebSocket, as the widget connects)
talks to it from here, the app environment: the Rasa environment's aiohttp is
too old for python-socketio's client.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import textwrap
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import socketio

from bot.channels import identity, widget_token
from bot.channels.identity import IDENTITY_KEY
from tests.support.stack import ROOT, free_port, serving

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

SERVER = textwrap.dedent(
    """
    import json, sys
    from sanic import Sanic
    from rasa.core.channels.channel import register
    from rasa.core.run import create_http_input_channels

    channels = create_http_input_channels(None, "credentials.yml")
    channels = [c for c in channels if c.name() == "socketio"]
    assert [type(c).__name__ for c in channels] == ["SessionSocketIOInput"], channels
    seen = []

    class Agent:
        async def handle_message(self, message):
            seen.append(message.text)
            out = message.output_channel
            if message.text == "card":
                await out.send_custom_json(message.sender_id, {"type": "shipment_card", "n": 1})
                return
            answer = {
                "sender": message.sender_id,
                "input_channel": message.input_channel,
                "metadata": message.metadata,
                "seen": len(seen),
            }
            await out.send_text_message(message.sender_id, json.dumps(answer))
            await out.send_text_with_buttons(
                message.sender_id, "Which one?", [{"title": "Yes", "payload": "/affirm"}]
            )

    app = Sanic("widget_channel_check")
    app.ctx.agent = Agent()
    register(channels, app, route="/webhooks/")
    app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False, motd=False)
    """
)
ALLOWED = "http://shop.example"


@dataclass
class Server:
    url: str
    secret: bytes


@dataclass
class Tab:
    """One browser tab's socket, and what it heard."""

    sio: socketio.AsyncClient
    heard: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[Any] = field(default_factory=list)
    turns: asyncio.Event = field(default_factory=asyncio.Event)

    async def say(self, text: str, **extra: Any) -> list[dict[str, Any]]:
        """Send a message and wait for its turn to end; what was heard meanwhile."""
        before = len(self.heard)
        self.turns.clear()
        await self.sio.emit("user_uttered", {"message": text, **extra})
        await asyncio.wait_for(self.turns.wait(), 20)
        return self.heard[before:]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    secret = secrets.token_hex(32)
    port = free_port()
    log = tmp_path_factory.mktemp("widget") / "server.log"
    env = {
        **os.environ,
        "WISMO_SECRET": secret,
        "RASA_TELEMETRY_ENABLED": "false",
        "WISMO_ALLOWED_ORIGINS": ALLOWED,
    }
    env.pop("MAX_MESSAGE_CHARS", None)
    base = f"http://127.0.0.1:{port}"
    command = [str(RASA_PYTHON), "-c", SERVER, str(port)]
    with serving(command, env, f"{base}/webhooks/socketio/", log):
        yield Server(base, secret.encode())


async def open_tab(
    server: Server, token: str | None, origin: str | None = ALLOWED, tab: Tab | None = None
) -> Tab:
    tab = tab or Tab(socketio.AsyncClient(reconnection=False))
    tab.sio.on("bot_uttered", tab.heard.append)
    tab.sio.on("turn_done", lambda *_: tab.turns.set())
    tab.sio.on("connect_error", tab.refusals.append)
    headers = {"Origin": origin} if origin else {}
    await tab.sio.connect(
        server.url,
        socketio_path="/socket.io",
        transports=["websocket"],
        auth={"token": token} if token is not None else None,
        headers=headers,
        wait_timeout=10,
    )
    return tab


@pytest.fixture
async def tabs() -> AsyncIterator[list[Tab]]:
    opened: list[Tab] = []
    yield opened
    for tab in opened:
        await tab.sio.disconnect()


def reached_rasa(heard: list[dict[str, Any]]) -> dict[str, Any]:
    """What the fake agent reported reached it (its first reply)."""
    return json.loads(heard[0]["text"])  # type: ignore[no-any-return]


def bad_token(kind: str, secret: bytes) -> str | None:
    """A token the channel must refuse, of one kind."""
    if kind == "forged":
        return widget_token.issue(b"someone else's secret")[0]
    if kind == "expired":
        return widget_token.issue(secret, lifetime=-1)[0]
    return {"none": None, "empty": "", "garbage": "not-a-token"}[kind]


@pytest.mark.parametrize("kind", ["none", "empty", "garbage", "forged", "expired"])
async def test_a_connection_without_a_genuine_live_token_is_refused(
    server: Server, kind: str
) -> None:
    tab = Tab(socketio.AsyncClient(reconnection=False))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await open_tab(server, bad_token(kind, server.secret), tab=tab)
    assert tab.refusals == [{"message": "session_invalid"}]


async def test_an_origin_not_configured_is_refused(server: Server) -> None:
    token, _ = widget_token.issue(server.secret)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await open_tab(server, token, origin="http://evil.example")


async def test_the_conversation_is_the_tokens_whatever_the_client_claims(
    server: Server, tabs: list[Tab]
) -> None:
    token, session = widget_token.issue(server.secret)
    tab = await open_tab(server, token)
    tabs.append(tab)
    claimed = {"session_id": "someone-elses-id", "metadata": {"wismo_verified_phone": "+1415"}}
    heard = await tab.say("hi", **claimed)
    seen = reached_rasa(heard)
    assert seen["sender"] == session.session_id
    assert seen["input_channel"] == "socketio"
    assert set(seen["metadata"]) == {IDENTITY_KEY}
    sealed = identity.unseal(seen["metadata"][IDENTITY_KEY], server.secret)
    assert sealed is not None
    assert (sealed.channel, sealed.conversation, sealed.subject, sealed.phone) == (
        "socketio",
        session.session_id,
        session.session_id,
        None,
    )
    assert sealed.address == "127.0.0.1"
    # Buttons arrive as quick replies on the message they belong to.
    assert heard[-1] == {
        "text": "Which one?",
        "quick_replies": [{"content_type": "text", "title": "Yes", "payload": "/affirm"}],
    }
    # A stock client's session_request gets the token's session, not the one it asked for.
    confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    tab.sio.on("session_confirm", confirmed.set_result)
    await tab.sio.emit("session_request", {"session_id": "someone-elses-id"})
    assert await asyncio.wait_for(confirmed, 10) == session.session_id


async def test_a_reload_finds_its_conversation_and_another_token_does_not(
    server: Server, tabs: list[Tab]
) -> None:
    token, session = widget_token.issue(server.secret)
    first = await open_tab(server, token)
    tabs.append(first)
    before = reached_rasa(await first.say("hello"))["seen"]
    await first.sio.disconnect()
    reloaded = await open_tab(server, token)
    tabs.append(reloaded)
    again = reached_rasa(await reloaded.say("still me"))
    assert again["sender"] == session.session_id and again["seen"] > before
    other = await open_tab(server, widget_token.issue(server.secret)[0])
    tabs.append(other)
    heard_before = len(reloaded.heard)
    stranger = reached_rasa(await other.say("me too"))
    assert stranger["sender"] != session.session_id
    await asyncio.sleep(0.3)
    assert len(reloaded.heard) == heard_before  # nothing of the stranger's reached this tab


async def test_every_tab_of_a_session_hears_its_replies(server: Server, tabs: list[Tab]) -> None:
    token, session = widget_token.issue(server.secret)
    one, two = await open_tab(server, token), await open_tab(server, token)
    tabs.extend([one, two])
    heard = await one.say("from tab one")
    await asyncio.wait_for(two.turns.wait(), 10)
    assert two.heard == heard
    assert reached_rasa(two.heard)["sender"] == session.session_id


async def test_a_message_over_the_limit_is_answered_with_the_limit_and_never_parsed(
    server: Server, tabs: list[Tab]
) -> None:
    tab = await open_tab(server, widget_token.issue(server.secret)[0])
    tabs.append(tab)
    heard = await tab.say("x" * 2001)
    assert heard == [
        {
            "text": "That message is too long for me to read. "
            "Please send a shorter one (up to 2,000 characters)."
        }
    ]
    seen_before = reached_rasa(await tab.say("short"))["seen"]
    assert reached_rasa(await tab.say("short"))["seen"] == seen_before + 1


async def test_a_custom_payload_arrives_whole_and_the_turn_ends(
    server: Server, tabs: list[Tab]
) -> None:
    tab = await open_tab(server, widget_token.issue(server.secret)[0])
    tabs.append(tab)
    assert await tab.say("card") == [{"custom": {"type": "shipment_card", "n": 1}}]
