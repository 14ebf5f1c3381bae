"""Shoppers texting by SMS: how soon the Twilio webhook acknowledges, and the reply comes.

SMS shoppers (`SmsShoppers`) text as Twilio delivers: each turn is a form POST to
Rasa's Twilio webhook, signed as Twilio signs it (`X-Twilio-Signature` over
`TWILIO_PUBLIC_URL` with the account's auth token). The channel answers at once
(empty TwiML) and runs the turn in the background; the reply comes back through
the Messages API, to the local fake Twilio. Each turn has two times:

- the acknowledgement: the webhook's HTTP answer, what Twilio waits for (15 s at most);
- the reply: from the POST until the fake holds a new message to the shopper's
  phone, polled every `POLL_S` (so late by up to one poll).

A shopper waits for the reply, then pauses as the REST shoppers do (`Shoppers.pause`).
Each shopper texts from a phone of its own (on SMS the phone is the conversation) and
asks about the order that phone is on, which the phone proves by itself: the demo
orders' phones first, then copies of the demo's UPS orders made for the others
(`shopper_phones`). The REST scripts do not fit: on SMS the channel's phone is offered as
the proof of any order asked about, so a phone that is not on the order is refused
before an email is asked for, and each refusal counts towards locking that order out.

The notifier's throughput, the other half of the phone figures, is bench/notifier.py.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from bench.copies import Json, order_copies
from bench.load import (
    Record,
    Run,
    Script,
    Shoppers,
    Turn,
    judge_replies,
    percentile_ms,
)
from bot.channels.messaging_settings import TwilioSettings
from bot.demo import SCENARIOS, build_demo
from bot.demo.fake_twilio import twilio_signature
from tests.support.stack import Stack

MESSAGES_PATH = "/_fake/twilio/messages"
POLL_S = 0.05  # how often a shopper waiting for a reply asks the fake
SETTLE_S = 1.0  # how long a reply's later parts may take to show the text a turn expects
MIN_SHOPPERS = 10
SMS_COPIES = 800_000  # orders WM-800000 ... and phones +15550800000 ... of the SMS shoppers


def sms_loads(shoppers: Iterable[int]) -> list[int]:
    """The REST runs' loads, each at least `MIN_SHOPPERS`, once each, smallest first."""
    return sorted({max(MIN_SHOPPERS, n) for n in shoppers})


def demo_phones(now: datetime) -> list[tuple[str, str]]:
    """(phone, order number) of the shipped scenario orders whose phone is on no other order."""
    orders = build_demo(now)["orders"]
    uses = Counter(order["customer"].get("phone") for order in orders)
    by_number = {order["order_number"]: order for order in orders}
    found = []
    for number in sorted(set(SCENARIOS.values())):
        order = by_number[number]
        phone = order["customer"].get("phone")
        if order.get("shipments") and phone and uses[phone] == 1:
            found.append((phone, number))
    return found


def shopper_phones(now: datetime, count: int) -> tuple[list[tuple[str, str]], Json]:
    """`count` (phone, order number), each phone proving its order; the import document of
    the orders made for them when the demo's phones run out (copies of its UPS parcels)."""
    document = build_demo(now)
    tracked = {t["tracking_number"] for t in document["tracking"]}
    by_number = {order["order_number"]: order for order in document["orders"]}
    demo = demo_phones(now)[:count]
    sources = [
        number
        for _, number in demo_phones(now)
        if [s["carrier"] for s in by_number[number]["shipments"]] == ["ups"]
        and by_number[number]["shipments"][0]["tracking_number"] in tracked
    ]
    extra = order_copies(now, sources, count - len(demo), SMS_COPIES)
    made = [(o["customer"]["phone"], o["order_number"]) for o in extra["orders"]]
    return demo + made, extra


def proven_script(order_number: str) -> Script:
    """A question the texting phone proves by itself: the status at once, then a follow-up."""
    return (
        Turn(f"where is my order {order_number}", order_number),
        Turn("when will it get here?", order_number),
        Turn("thanks, bye"),
    )


def inbound_form(settings: TwilioSettings, phone: str, body: str, sid: str) -> dict[str, str]:
    """The form Twilio posts to a messaging webhook for one SMS from `phone`."""
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "SmsStatus": "received",
        "AccountSid": settings.account_sid,
        "From": phone,
        "To": settings.number,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }


def signed_headers(settings: TwilioSettings, form: Mapping[str, str]) -> dict[str, str]:
    """Twilio's signature of `form` posted to the configured public URL."""
    return {"X-Twilio-Signature": twilio_signature(settings.auth_token, settings.public_url, form)}


def reply_texts(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Messages the fake accepted, as replies `bench.load.judge_replies` reads."""
    return [{"text": str(message.get("body", ""))} for message in messages]


@dataclass
class SmsRun(Run):
    """A run's turns: `records` time the acknowledgements, `replies` the answered turns."""

    replies: list[float] = field(default_factory=list)  # seconds from the POST to the reply
    polls: int = 0  # requests to the fake while waiting for replies

    def summary(self) -> dict[str, Any]:
        base = super().summary()
        acks, replies = sorted(r.seconds for r in self.records), sorted(self.replies)
        kept = ("name", "shoppers", "think_s", "window_s", "turns", "errors", "error_kinds")
        return {
            **{key: base[key] for key in kept},
            "turns_per_s": base["turns_per_s"],
            "ack_p50_ms": percentile_ms(acks, 50),
            "ack_p95_ms": percentile_ms(acks, 95),
            "ack_max_ms": percentile_ms(acks, 100),
            "replies": len(replies),
            "reply_p50_ms": percentile_ms(replies, 50),
            "reply_p95_ms": percentile_ms(replies, 95),
            "reply_max_ms": percentile_ms(replies, 100),
            "poll_ms": round(POLL_S * 1000),
            "polls_per_s": round(self.polls / self.seconds, 1) if self.seconds else 0.0,
        }


class SmsShoppers:
    """Drive `shoppers` concurrent SMS conversations through Rasa's Twilio webhook."""

    def __init__(
        self,
        webhook_url: str,
        fakes_url: str,
        settings: TwilioSettings,
        phones: Sequence[tuple[str, str]],
        *,
        timeout: float = 30.0,
        seed: int = 7,
        spread: float = 0.5,
    ) -> None:
        self.webhook_url = webhook_url
        self.messages_url = fakes_url + MESSAGES_PATH
        self.settings = settings
        self.timeout = timeout
        self.phones = list(phones)  # one a shopper: a phone is one conversation
        # The REST shoppers' pauses; the scripts are the phones' own.
        self.pacing = Shoppers(webhook_url, iter(()), timeout=timeout, seed=seed, spread=spread)

    @classmethod
    def on(cls, stack: Stack, phones: Sequence[tuple[str, str]], **options: Any) -> SmsShoppers:
        """Shoppers texting the stack's Twilio channel, replies read from its fake Twilio."""
        fakes = f"http://127.0.0.1:{stack.env['FAKES_PORT']}"
        settings = TwilioSettings.from_env(stack.env)
        return cls(f"{stack.base_url}/webhooks/twilio/webhook", fakes, settings, phones, **options)

    def conversation(self, index: int) -> tuple[str, Script]:
        """Shopper `index`'s phone, and the script of a conversation about its order."""
        phone, number = self.phones[index]
        return phone, proven_script(number)

    def run(self, name: str, shoppers: int, think: float, seconds: float) -> SmsRun:
        if shoppers > len(self.phones):
            raise ValueError(f"{shoppers} shoppers, {len(self.phones)} phones: one each")
        run = SmsRun(name, shoppers, think, seconds)
        stop_at = time.monotonic() + seconds
        jitters = [random.Random(self.pacing.random.random()) for _ in range(shoppers)]  # noqa: S311
        threads = [
            threading.Thread(target=self._shopper, args=(run, stop_at, i, j), daemon=True)
            for i, j in enumerate(jitters)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 2 * self.timeout + 10)
        return run

    def _shopper(self, run: SmsRun, stop_at: float, index: int, jitter: random.Random) -> None:
        time.sleep(jitter.uniform(0, run.think))  # arrivals spread over one pause
        with requests.Session() as http:
            while time.monotonic() < stop_at:
                phone, script = self.conversation(index)
                for step, turn in enumerate(script):
                    if time.monotonic() >= stop_at:
                        return
                    going_on = self._turn(http, run, phone, turn, step)
                    time.sleep(self.pacing.pause(jitter, run.think))
                    if not going_on:
                        break  # out of step with the script: start a new conversation

    def _turn(self, http: requests.Session, run: SmsRun, phone: str, turn: Turn, step: int) -> bool:
        """Text one turn and wait for its reply; whether the conversation can go on."""
        started = time.monotonic()
        try:
            before = len(self._sent_to(http, run, phone))
            form = inbound_form(self.settings, phone, turn.text, "SM" + uuid.uuid4().hex)
            started = time.monotonic()
            answer = http.post(
                self.webhook_url,
                data=form,
                headers=signed_headers(self.settings, form),
                timeout=self.timeout,
            )
            ack = time.monotonic() - started
            if answer.status_code != 200:
                self._record(run, Record(started, ack, False, step), f"HTTP {answer.status_code}")
                return False
            replies, reply_s = self._reply(http, run, phone, before, started, turn)
        except requests.RequestException as error:
            kind = type(error).__name__
            self._record(run, Record(started, time.monotonic() - started, False, step), kind)
            return False
        problem = judge_replies(replies, turn) if replies else "no reply"
        self._record(run, Record(started, ack, not problem, step), problem, reply_s)
        return bool(replies)

    def _reply(
        self,
        http: requests.Session,
        run: SmsRun,
        phone: str,
        before: int,
        started: float,
        turn: Turn,
    ) -> tuple[list[dict[str, str]], float | None]:
        """The turn's reply as the fake holds it, and the seconds until it first showed."""
        replies: list[dict[str, str]] = []
        first: float | None = None
        until = started + self.timeout
        while time.monotonic() < until:
            sent = self._sent_to(http, run, phone)
            if len(sent) > before:
                if first is None:
                    first = time.monotonic() - started
                    until = min(until, time.monotonic() + SETTLE_S)
                replies = reply_texts(sent[before:])
                if not judge_replies(replies, turn):
                    break
            time.sleep(POLL_S)
        return replies, first

    def _sent_to(self, http: requests.Session, run: SmsRun, phone: str) -> list[dict[str, Any]]:
        with self.pacing.lock:
            run.polls += 1
        answer = http.get(self.messages_url, params={"to": phone}, timeout=self.timeout)
        answer.raise_for_status()
        sent: list[dict[str, Any]] = answer.json()
        return sent

    def _record(
        self, run: SmsRun, record: Record, problem: str, reply_s: float | None = None
    ) -> None:
        with self.pacing.lock:
            run.records.append(record)
            if reply_s is not None:
                run.replies.append(reply_s)
            if problem:
                run.failures[problem] = run.failures.get(problem, 0) + 1
