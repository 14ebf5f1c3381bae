"""A person on the team takes a shopper's conversation in the agent console, end to end.

The whole stack with the trained model (the `stack` fixture): the shopper asks for a
person on their own channel (SMS through the fake Twilio, or the widget's socket.io),
the agent works the ticket over the console's HTTP pages as a browser would (logged in,
each form with its CSRF token), and the test reads what reached the shopper's phone or
socket. While the agent has the conversation the assistant answers nothing; after it
is handed back or closed, the assistant answers again.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import socketio

from tests.conversations.test_phone_channels import Phone, _body
from tests.support.stack import Stack

pytestmark = pytest.mark.conversation

AGENT, PASSWORD = "ana", "woodland-agent-demo"  # the demo's agent (`wismo demo --load`)
REFERENCE = re.compile(r"\bHD-[A-Z0-9]{6}\b")
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)"')
QUIET_SECONDS = 4.0  # long enough for the assistant's answer to a message, were it to answer


@dataclass
class Agent:
    """A person on the team in the console, as their browser talks to it."""

    web: str
    http: requests.Session = field(default_factory=requests.Session)
    csrf: str = ""

    @classmethod
    def log_in(cls, stack: Stack, username: str = AGENT, password: str = PASSWORD) -> Agent:
        agent = cls(stack.web_url)
        form = agent.http.get(f"{agent.web}/console/login", timeout=10)
        answer = agent.http.post(
            f"{agent.web}/console/login",
            data={"csrf": csrf_of(form.text), "username": username, "password": password},
            timeout=10,
        )
        assert answer.status_code == 200 and answer.url.endswith("/console"), answer.text
        agent.csrf = csrf_of(answer.text)
        return agent

    def waiting(self) -> list[str]:
        """The references waiting in the queue, oldest first."""
        queue = self.http.get(f"{self.web}/console/queue.json", timeout=10).json()
        return [ticket["reference"] for ticket in queue["waiting"]]

    def post(self, reference: str, what: str) -> requests.Response:
        """A form of the ticket's page (take, handback, close), as the browser sends it."""
        url = f"{self.web}/console/tickets/{reference}/{what}"
        return self.http.post(url, data={"csrf": self.csrf}, timeout=30)

    def reply(self, reference: str, text: str) -> requests.Response:
        """What the page's script sends when the agent presses Send."""
        return self.http.post(
            f"{self.web}/console/tickets/{reference}/reply",
            json={"text": text},
            headers={"X-CSRF-Token": self.csrf},
            timeout=30,
        )

    def transcript(self, reference: str) -> dict[str, Any]:
        """What the ticket's page polls: every line so far, and the ticket."""
        answer = self.http.get(f"{self.web}/console/tickets/{reference}/lines.json", timeout=30)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    def wait_for_line(self, reference: str, speaker: str, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.transcript(reference)["lines"]
            if any((line["speaker"], line["text"]) == (speaker, text) for line in lines):
                return
            assert time.monotonic() < deadline, f"no {speaker} line {text!r} in {lines}"
            time.sleep(0.5)


def csrf_of(page: str) -> str:
    found = CSRF_INPUT.search(page)
    assert found, page
    return found[1]


def texts_after(phone: Phone, before: int, timeout: float = 30) -> list[str]:
    """The texts the shopper's phone received after the first `before`, once some came."""
    return [_body(m) for m in phone.wait_for(lambda got: len(got) > before, timeout)[before:]]


def test_an_sms_shopper_talks_to_a_person_then_the_assistant_again(stack: Stack) -> None:
    phone = Phone(stack, "twilio", "+14155550161")
    asked = phone.say("I want to talk to a person")
    found = REFERENCE.search(asked)
    assert found, asked
    reference = found[0]
    agent = Agent.log_in(stack)
    assert reference in agent.waiting()

    # Ana takes it: the shopper's phone hears she is here, and the assistant steps aside.
    before = len(phone.sent_to_me())
    taken = agent.post(reference, "take")
    assert taken.status_code == 200 and taken.url.endswith(f"/console/tickets/{reference}")
    assert texts_after(phone, before) == [
        f"Ana from our team is here now (ref {reference}). Reply to this number to talk to them."
    ]
    assert reference not in agent.waiting()

    # The shopper writes: Ana reads it in the ticket's transcript; the assistant says nothing.
    before = len(phone.sent_to_me())
    phone.send("where is my order WM-104233?")
    agent.wait_for_line(reference, "shopper", "where is my order WM-104233?")
    time.sleep(QUIET_SECONDS)
    assert [_body(m) for m in phone.sent_to_me()[before:]] == []

    # Ana's words reach the phone as hers, and stay in the transcript as hers.
    sent = agent.reply(reference, "Hi, it's Ana. I'm looking at your order now.")
    assert sent.status_code == 200, sent.text
    assert texts_after(phone, before) == ["Ana: Hi, it's Ana. I'm looking at your order now."]
    lines = agent.transcript(reference)["lines"]
    assert [line["agent"] for line in lines if line["speaker"] == "agent"] == ["Ana"]

    # Handed back: the assistant greets the shopper and answers the next message again.
    before = len(phone.sent_to_me())
    back = agent.post(reference, "handback")
    assert back.status_code == 200 and "done=handed_back" in back.url
    assert texts_after(phone, before) == [
        "Ana handed you back to me. Anything else I can help with?"
    ]
    assert "order number" in phone.say("where is my order?")
    assert agent.transcript(reference)["ticket"]["state"] == "closed"


# The widget's socket.io channel ---------------------------------------------------------


@dataclass
class WidgetShopper:
    """A shopper's widget: a session from the web process, a socket to Rasa's channel."""

    sio: socketio.AsyncClient
    heard: list[str] = field(default_factory=list)

    @classmethod
    async def connect(cls, stack: Stack) -> WidgetShopper:
        session = requests.post(f"{stack.web_url}/widget/session", timeout=10).json()
        shopper = cls(socketio.AsyncClient(reconnection=False))
        shopper.sio.on("bot_uttered", lambda data: shopper.heard.append(str(data.get("text"))))
        await shopper.sio.connect(
            stack.base_url,
            socketio_path="/socket.io",
            transports=["websocket"],
            auth={"token": session["token"]},
            headers={"Origin": stack.web_url},
            wait_timeout=10,
        )
        return shopper

    async def send(self, text: str) -> None:
        await self.sio.emit("user_uttered", {"message": text})

    async def hears(self, done: Callable[[list[str]], bool], timeout: float = 60) -> list[str]:
        deadline = time.monotonic() + timeout
        while not done(self.heard):
            assert time.monotonic() < deadline, f"waited {timeout}s; heard {self.heard}"
            await asyncio.sleep(0.2)
        return self.heard


def saying(part: str) -> Callable[[list[str]], bool]:
    return lambda heard: any(part in text for text in heard)


async def test_a_widget_shopper_hears_a_person_join_and_close_then_the_assistant_answers(
    stack: Stack,
) -> None:
    shopper = await WidgetShopper.connect(stack)
    try:
        await shopper.send("can I talk to a human please")
        heard = await shopper.hears(lambda heard: any(REFERENCE.search(t) for t in heard))
        reference = next(m[0] for t in heard if (m := REFERENCE.search(t)))
        agent = await asyncio.to_thread(Agent.log_in, stack)
        taken = await asyncio.to_thread(agent.post, reference, "take")
        assert taken.status_code == 200
        joined = f"Ana from our team has joined the conversation (reference {reference})."
        await shopper.hears(saying(joined))

        before = len(shopper.heard)
        await shopper.send("hello? where is my order")
        await asyncio.to_thread(
            agent.wait_for_line, reference, "shopper", "hello? where is my order"
        )
        await asyncio.sleep(QUIET_SECONDS)
        assert shopper.heard[before:] == []

        closed = await asyncio.to_thread(agent.post, reference, "close")
        assert closed.status_code == 200 and "done=closed" in closed.url
        await shopper.hears(saying(f"Ana has closed this conversation (reference {reference})."))
        await shopper.send("where is my order?")
        await shopper.hears(saying("What's your order number?"))
    finally:
        await shopper.sio.disconnect()
