"""Drive the demo's simulated shoppers (bot/demo/shoppers.py) through the bot's real
channels: the REST channel, in a session of its own each (the cookie the channel sets),
and SMS through the local fake Twilio, which signs each text and posts it to Rasa's
Twilio webhook as Twilio would; the replies are read back from the fake.

The widget's socket.io channel is left out: its client library is in the dev env only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import requests

from bot.demo.shoppers import Shopper

log = logging.getLogger(__name__)
INBOUND = "/_fake/twilio/inbound"
MESSAGES = "/_fake/twilio/messages"
POLL_S = 0.2  # how often an SMS shopper looks for the reply
SETTLE_S = 1.5  # a reply is whole once no part came for this long
REPLY_S = 60.0  # longest wait for an answer, on either channel
SHOPPERS_AT_ONCE = 3  # a few at a time: the CPU is shared with the whole stack


class Channels:
    """How a simulated shopper reaches the bot: Rasa's REST channel, the fake Twilio."""

    def __init__(
        self, rasa_url: str, rasa_token: str, fakes_url: str, timeout: float = REPLY_S
    ) -> None:
        self.rest_url = f"{rasa_url.rstrip('/')}/webhooks/rest/webhook"
        self.rasa_url = rasa_url.rstrip("/")
        self.rasa_token = rasa_token
        self.fakes_url = fakes_url.rstrip("/")
        self.timeout = timeout

    def ready(self) -> bool:
        """Whether Rasa (with its model loaded) and the fake Twilio both answer."""
        try:
            rasa = requests.get(
                self.rasa_url + "/status", params={"token": self.rasa_token}, timeout=5
            )
            fakes = requests.get(self.fakes_url + MESSAGES, params={"to": "-"}, timeout=5)
            loaded = rasa.ok and bool(rasa.json().get("model_file"))
        except (requests.RequestException, ValueError):
            return False
        return loaded and fakes.ok

    def say(self, http: requests.Session, shopper: Shopper, text: str) -> str:
        """One message of the shopper's; the bot's replies, one line each."""
        if shopper.phone:
            return self._text(http, shopper.phone, text)
        answer = http.post(
            self.rest_url, json={"sender": shopper.sender, "message": text}, timeout=self.timeout
        )
        answer.raise_for_status()
        return "\n".join(str(reply.get("text", "")) for reply in answer.json())

    def _text(self, http: requests.Session, phone: str, text: str) -> str:
        before = len(self._sent_to(http, phone))
        posted = http.post(
            self.fakes_url + INBOUND, json={"from": phone, "body": text}, timeout=self.timeout
        )
        posted.raise_for_status()
        sent: list[dict[str, object]] = []
        deadline, last_change = time.monotonic() + self.timeout, time.monotonic()
        while time.monotonic() < deadline:
            now = self._sent_to(http, phone)
            if len(now) != len(sent):
                sent, last_change = now, time.monotonic()
            elif len(sent) > before and time.monotonic() - last_change >= SETTLE_S:
                break
            time.sleep(POLL_S)
        return "\n".join(str(message.get("body", "")) for message in sent[before:])

    def _sent_to(self, http: requests.Session, phone: str) -> list[dict[str, object]]:
        answer = http.get(self.fakes_url + MESSAGES, params={"to": phone}, timeout=self.timeout)
        answer.raise_for_status()
        found: list[dict[str, object]] = answer.json()
        return found


def converse(channels: Channels, shopper: Shopper) -> int:
    """Hold one shopper's conversation; how many messages the shopper sent.

    A turn waiting for a cue the bot did not give ends the conversation there, as does
    a channel that fails (logged: the seed goes on with the other shoppers).
    """
    sent, replies = 0, ""
    with requests.Session() as http:
        for turn in shopper.turns:
            if turn.cue and turn.cue not in replies.lower():
                break
            try:
                replies = channels.say(http, shopper, turn.text)
            except requests.RequestException as error:
                log.warning("seed: %s stopped: %s", shopper.sender, type(error).__name__)
                break
            sent += 1
    return sent


def converse_all(
    channels: Channels,
    shoppers: Sequence[Shopper],
    talk: Callable[[Channels, Shopper], int] = converse,
) -> dict[str, int]:
    """Every shopper's conversation, a few at a time; messages sent, by sender id."""
    with ThreadPoolExecutor(SHOPPERS_AT_ONCE) as pool:
        counts = pool.map(lambda shopper: talk(channels, shopper), shoppers)
        return {s.sender: n for s, n in zip(shoppers, counts, strict=True) if n}


def wait_until(check: Callable[[], bool], timeout: float, every: float = 1.0) -> bool:
    """Whether `check` came true within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False
