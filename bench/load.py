"""A load generator: shoppers holding whole conversations over the REST channel.

Each shopper is a thread. It holds one conversation after another under a
fresh sender id, each in an HTTP session of its own (which keeps the REST
channel's session cookie, as a browser would), pauses between turns as a person does,
and records every turn: how long the bot took and whether its answer was the
one the conversation needs. With `think=0` it is a saturation run: the most
turns per second the bot sustains.

A pause is `think` seconds on average, drawn anew each time from
`think * (1 +/- spread)`. People do not pause for exactly the same time, and
shoppers who all did would march in step: one slow answer releases them
together, they come back together 2 s later, and from then on every turn waits
behind the others' (a convoy, which fixed think times are known to create in
closed-loop load tests). `spread=0` gives the fixed pause.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from bot.demo import SCENARIOS, build_demo


@dataclass(frozen=True)
class Turn:
    """What the shopper says, and a piece of text the answer must contain."""

    text: str
    expect: str = ""


Script = Sequence[Turn]
SOMETHING_WRONG = "something went wrong on our side"


def wismo_scripts(now: datetime) -> Iterator[Script]:
    """Ask, verify, hear the status, follow up: for every demo parcel in turn."""
    document = build_demo(now)
    by_number = {order["order_number"]: order for order in document["orders"]}
    shipped = [
        by_number[number]
        for number in sorted(set(SCENARIOS.values()))
        if by_number[number].get("shipments")
    ]
    openers = ("where is my order {}", "has {} shipped yet", "track my parcel {} please")
    for index, order in enumerate(itertools.cycle(shipped)):
        number = order["order_number"]
        proof = (
            order["customer"]["email"]
            if index % 2 == 0
            else f"zip is {order['shipping_address']['postal_code']}"
        )
        yield (
            Turn(openers[index % len(openers)].format(number), "on the order"),
            Turn(proof, number),
            Turn("when will it get here?", number),
            Turn("thanks, bye"),
        )


def varied_scripts(now: datetime, openers: Sequence[str]) -> Iterator[Script]:
    """The WISMO scripts, each opened in other words (the held-out sets' questions).

    A new wording at every conversation: the sentence encoder cannot answer from
    its cache of recent texts, as it can for the fixed openers above.
    """
    for index, script in enumerate(wismo_scripts(now)):
        number = script[1].expect
        opener = f"{openers[index % len(openers)]} (order {number})"
        yield (Turn(opener), *script[1:])


def policy_scripts(now: datetime) -> Iterator[Script]:
    """The store's policy at work: a parcel "delivered" but not found, a cancellation
    refused after shipping, a claim offered and declined, an order late to ship.

    Nothing is changed in the store (the check-back promised is kept once per parcel),
    so the scripts can run again and again.
    """
    document = build_demo(now)
    email = {o["order_number"]: o["customer"]["email"] for o in document["orders"]}

    def script(name: str, opener: str, answer: str, last: Turn) -> Script:
        number = SCENARIOS[name]
        return (
            Turn(opener.format(number), "on the order"),
            Turn(email[number], answer),
            last,
        )

    # A shopper's first goodbye of the week after a resolved question gets the NPS question
    # (actions/nps.py), the later ones the goodbye: both name the store.
    bye = Turn("thanks, bye", "Woodland Market")
    declined = Turn("no", "left everything as it is")
    scripts = (
        script(
            "delivered_not_received_wait",
            "it says {} was delivered but its not here",
            "Please check",
            bye,
        ),
        script("not_cancellable", "please cancel order {}", "can't be cancelled", bye),
        script("damaged_on_arrival", "order {} arrived damaged", "open a claim", declined),
        script("likely_lost_no_scans", "where is my order {}", "open a claim", declined),
        script("processing_late", "why hasn't {} shipped yet", "should have left us", bye),
    )
    return itertools.cycle(scripts)


def stock_scripts() -> Iterator[Script]:
    """The `rasa init` bot's own conversations: greet, mood, goodbye."""
    happy = (Turn("hello there"), Turn("I am great"), Turn("bye"))
    sad = (Turn("hi"), Turn("I am sad"), Turn("yes"), Turn("goodbye"))
    return itertools.cycle((happy, sad))


@dataclass
class Record:
    started: float
    seconds: float
    ok: bool
    step: int = 0


@dataclass
class Run:
    """The turns of one run; figures over those that started in the window."""

    name: str
    shoppers: int
    think: float
    seconds: float
    records: list[Record] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        times = sorted(r.seconds for r in self.records)
        errors = sum(not r.ok for r in self.records)
        return {
            "name": self.name,
            "shoppers": self.shoppers,
            "think_s": self.think,
            "window_s": round(self.seconds, 1),
            "turns": len(times),
            "errors": errors,
            "error_kinds": dict(self.failures),
            "turns_per_s": round(len(times) / self.seconds, 2) if self.seconds else 0.0,
            "p50_ms": percentile_ms(times, 50),
            "p95_ms": percentile_ms(times, 95),
            "p99_ms": percentile_ms(times, 99),
            "max_ms": round(times[-1] * 1000, 1) if times else None,
            "p95_ms_by_step": self.by_step(95),
        }

    def by_step(self, q: float) -> dict[int, float | None]:
        """The percentile for each turn of the script: which turn costs what."""
        steps = sorted({r.step for r in self.records})
        return {
            step: percentile_ms(sorted(r.seconds for r in self.records if r.step == step), q)
            for step in steps
        }


def percentile_ms(sorted_seconds: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile, in milliseconds."""
    if not sorted_seconds:
        return None
    rank = max(1, -(-len(sorted_seconds) * q // 100))
    return round(sorted_seconds[int(rank) - 1] * 1000, 1)


class Shoppers:
    """Drive `shoppers` concurrent conversations against a REST endpoint."""

    def __init__(
        self,
        rest_url: str,
        scripts: Iterator[Script],
        *,
        timeout: float = 30.0,
        seed: int = 7,
        spread: float = 0.5,
    ) -> None:
        self.rest_url = rest_url
        self.scripts = scripts
        self.timeout = timeout
        self.spread = spread
        self.random = random.Random(seed)  # noqa: S311 (jitter, not secrets)
        self.lock = threading.Lock()

    def next_script(self) -> Script:
        with self.lock:
            return next(self.scripts)

    def run(self, name: str, shoppers: int, think: float, seconds: float) -> Run:
        run = Run(name, shoppers, think, seconds)
        stop_at = time.monotonic() + seconds
        threads = [
            threading.Thread(
                target=self._shopper,
                args=(run, stop_at, random.Random(self.random.random())),  # noqa: S311
                daemon=True,
            )
            for _ in range(shoppers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + self.timeout + 10)
        return run

    def _shopper(self, run: Run, stop_at: float, jitter: random.Random) -> None:
        time.sleep(jitter.uniform(0, run.think))  # shoppers arrive spread over one pause
        while time.monotonic() < stop_at:
            sender = f"load-{uuid.uuid4().hex[:12]}"
            with requests.Session() as session:  # the conversation's REST session
                for step, turn in enumerate(self.next_script()):
                    if time.monotonic() >= stop_at:
                        return
                    self._turn(session, run, sender, turn, step)
                    time.sleep(self.pause(jitter, run.think))

    def pause(self, jitter: random.Random, think: float) -> float:
        """A person's pause before the next turn: `think` on average, never the same twice."""
        return think * jitter.uniform(1 - self.spread, 1 + self.spread)

    def _turn(
        self, session: requests.Session, run: Run, sender: str, turn: Turn, step: int
    ) -> None:
        started = time.monotonic()
        problem = ""
        try:
            response = session.post(
                self.rest_url, json={"sender": sender, "message": turn.text}, timeout=self.timeout
            )
            elapsed = time.monotonic() - started
            problem = judge(response, turn)
        except requests.RequestException as error:
            elapsed = time.monotonic() - started
            problem = type(error).__name__
        with self.lock:
            run.records.append(Record(started, elapsed, not problem, step))
            if problem:
                run.failures[problem] = run.failures.get(problem, 0) + 1


def judge(response: requests.Response, turn: Turn) -> str:
    """Why the answer is not what the shopper needed; empty when it is."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return judge_replies(response.json(), turn)


def judge_replies(replies: Sequence[Mapping[str, Any]], turn: Turn) -> str:
    """Why the bot's messages of a turn are not what the shopper needed; empty when they are.

    The same judgement for every channel: REST's reply list, or what the widget's
    socket heard between the message and `turn_done`.
    """
    text = " ".join(str(m.get("text", "")) for m in replies)
    if not text:
        return "no answer"
    if SOMETHING_WRONG in text.lower():
        return "something went wrong"
    if turn.expect and turn.expect not in text:
        return f"answer without {turn.expect!r}"
    return ""


def burst(ask: Callable[[int], Any], count: int) -> list[Any]:
    """Call `ask(i)` from `count` threads released together; their results."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def one(index: int) -> None:
        barrier.wait()
        results[index] = ask(index)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
