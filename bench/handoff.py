"""From a hand-off to its ticket in the agents' queue: what a person on the team waits for.

An agent of the demo (`wismo demo --load` adds them) logs in to the console once. Then
shoppers, each in a conversation of its own, say "talk to a person" over REST: `SHOPPERS`
one after another, then `AT_ONCE` released together. Each hand-off has two times, both
from the moment the message is sent:

- the reply: the shopper's turn, until the answer holding the ticket's reference;
- the queue: until the reference shows in the console's /console/queue.json, which the
  agent's session polls every `POLL_S` from one thread all along (so late by up to one
  poll). The ticket is stored before the shopper is told, so it may show first.

The console page itself asks for queue.json every `QUEUE_EVERY_MS` of bot/web/static/
console.js (3 s), then redraws: an agent looking at the page sees a ticket up to that
much later than the queue time (the page's worst case). With every ticket still waiting,
the poll's own cost: queue.json's answer time over `COST_POLLS` polls, and the page's.
Last, the tickets the bench opened are closed in the store, so nothing after it (nor
the notifier's reminders of untaken tickets) sees them.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from bench.load import Turn, burst, judge_replies, percentile_ms
from bot.adapters.db.tickets import SqlTicketStore
from bot.bootstrap import build_repository
from bot.cli_users import DEMO_ACCOUNTS
from bot.config import Settings
from bot.domain.accounts import Role
from bot.domain.tickets import REFERENCE_ALPHABET, TicketOutcome
from tests.support.stack import ROOT, Stack

Json = dict[str, Any]
ASK = Turn("talk to a person", "HD-")
SHOPPERS = 20  # one after another
AT_ONCE = 10  # released together
POLL_S = 0.05  # how often the agent's session asks for queue.json
COST_POLLS = 100  # queue.json answers timed with every ticket waiting
PAGE_LOADS = 10  # the queue page, as the console's redraw fetches it
TIMEOUT_S = 30.0  # for a turn, and for the last ticket to show after its reply
CONSOLE_JS = ROOT / "bot" / "web" / "static" / "console.js"
REFERENCE = re.compile(rf"\bHD-[{REFERENCE_ALPHABET}]{{6}}\b")
CSRF_FIELD = re.compile(r'<input[^>]*name="csrf"[^>]*value="([^"]+)"')


class ConsoleRefused(RuntimeError):
    """The console did not let the bench's agent in, or answered a poll with an error."""


def reference_in(replies: Sequence[Mapping[str, Any]]) -> str | None:
    """The ticket reference the bot's replies of a turn name, if any."""
    found = REFERENCE.search(" ".join(str(m.get("text", "")) for m in replies))
    return found.group(0) if found else None


def csrf_of(login_page: str) -> str:
    """The login form's CSRF token (its hidden `csrf` field)."""
    found = CSRF_FIELD.search(login_page)
    if not found:
        raise ConsoleRefused("no csrf field on the login page")
    return found.group(1)


def queued_references(body: Mapping[str, Any]) -> set[str]:
    """Every reference queue.json shows: the waiting tickets and the agent's own."""
    return {t["reference"] for key in ("waiting", "mine") for t in body.get(key, [])}


def page_refresh_ms(console_js: str) -> int:
    """How often the console's queue page asks for queue.json (console.js's constant)."""
    found = re.search(r"QUEUE_EVERY_MS\s*=\s*(\d+)", console_js)
    if not found:
        raise ValueError("console.js names no QUEUE_EVERY_MS")
    return int(found.group(1))


@dataclass
class Handoff:
    """One shopper's "talk to a person": when it was sent, and what came back."""

    sent: float  # time.monotonic()
    reply_s: float | None = None
    reference: str | None = None
    problem: str = ""


def run_figures(
    name: str, handoffs: Sequence[Handoff], seen: Mapping[str, float], refresh_ms: int
) -> Json:
    """p50 / p95 / max of the reply and queue times of a run, in ms; `seen` holds when
    each reference first showed in queue.json (monotonic)."""
    replies = sorted(h.reply_s for h in handoffs if h.reply_s is not None)
    arrivals = [(seen.get(h.reference or ""), h.sent) for h in handoffs]
    queued = sorted(at - sent for at, sent in arrivals if at is not None)
    problems = Counter(h.problem for h in handoffs if h.problem)
    queue_max = percentile_ms(queued, 100)
    return {
        "name": name,
        "handoffs": len(handoffs),
        "errors": sum(problems.values()),
        "error_kinds": dict(problems),
        "never_queued": sum(1 for h in handoffs if h.reference and h.reference not in seen),
        "reply_p50_ms": percentile_ms(replies, 50),
        "reply_p95_ms": percentile_ms(replies, 95),
        "reply_max_ms": percentile_ms(replies, 100),
        "queue_p50_ms": percentile_ms(queued, 50),
        "queue_p95_ms": percentile_ms(queued, 95),
        "queue_max_ms": queue_max,
        "page_max_ms": None if queue_max is None else round(queue_max + refresh_ms, 1),
    }


def poll_figures(seconds: Iterable[float], waiting: int, pages: Iterable[float]) -> Json:
    """queue.json's answer times with `waiting` tickets in the queue, and the page's."""
    polls, loads = sorted(seconds), sorted(pages)
    return {
        "polls": len(polls),
        "waiting": waiting,
        "p50_ms": percentile_ms(polls, 50),
        "p95_ms": percentile_ms(polls, 95),
        "max_ms": percentile_ms(polls, 100),
        "page_p95_ms": percentile_ms(loads, 95),
    }


class Agent:
    """The demo's agent, logged in to the console in a session of its own."""

    def __init__(self, web_url: str) -> None:
        self.web_url = web_url
        self.session = requests.Session()

    def log_in(self) -> Agent:
        username, _, _, password = next(a for a in DEMO_ACCOUNTS if a[2] is Role.AGENT)
        form = self.session.get(f"{self.web_url}/console/login", timeout=10)
        form.raise_for_status()
        answer = self.session.post(
            f"{self.web_url}/console/login",
            data={"username": username, "password": password, "csrf": csrf_of(form.text)},
            allow_redirects=False,
            timeout=10,
        )
        if answer.status_code != 303:
            raise ConsoleRefused(f"login HTTP {answer.status_code}")
        return self

    def queue(self) -> Json:
        """queue.json, as the console page asks for it."""
        answer = self.session.get(f"{self.web_url}/console/queue.json", timeout=10)
        if answer.status_code != 200:
            raise ConsoleRefused(f"queue.json HTTP {answer.status_code}")
        body: Json = answer.json()
        return body

    def page_seconds(self) -> float:
        """How long the queue page takes: what the console's redraw fetches."""
        started = time.monotonic()
        self.session.get(f"{self.web_url}/console", timeout=10).raise_for_status()
        return time.monotonic() - started

    def close(self) -> None:
        self.session.close()


@dataclass
class QueueWatch:
    """Polls queue.json every `POLL_S` from a thread (start to start, or at once after a
    poll slower than that): when each reference first showed."""

    agent: Agent
    seen: dict[str, float] = field(default_factory=dict)
    polls: list[float] = field(default_factory=list)
    failures: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> QueueWatch:
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=TIMEOUT_S)

    def _poll(self) -> None:
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                references = queued_references(self.agent.queue())
            except (requests.RequestException, ConsoleRefused, ValueError):
                self.failures += 1
            else:
                answered = time.monotonic()
                self.polls.append(answered - started)
                for reference in references:
                    self.seen.setdefault(reference, answered)
            self.stopping.wait(max(0.0, started + POLL_S - time.monotonic()))

    def wait_for(self, references: Iterable[str], timeout: float = TIMEOUT_S) -> None:
        """Until every reference has shown (or `timeout` passes)."""
        wanted, deadline = set(references), time.monotonic() + timeout
        while not wanted <= self.seen.keys() and time.monotonic() < deadline:
            time.sleep(POLL_S)


def ask(rest_url: str) -> Handoff:
    """A new shopper asks for a person; the reply's time and the reference it names."""
    sender = f"handoff-{uuid.uuid4().hex[:12]}"
    with requests.Session() as session:  # the conversation's REST session
        handoff = Handoff(time.monotonic())
        try:
            answer = session.post(
                rest_url, json={"sender": sender, "message": ASK.text}, timeout=TIMEOUT_S
            )
        except requests.RequestException as error:
            handoff.problem = type(error).__name__
            return handoff
    handoff.reply_s = time.monotonic() - handoff.sent
    if answer.status_code != 200:
        handoff.problem = f"HTTP {answer.status_code}"
        return handoff
    try:
        replies = answer.json()
    except ValueError:
        handoff.problem = "not JSON"
        return handoff
    handoff.reference = reference_in(replies)
    handoff.problem = judge_replies(replies, ASK) if handoff.reference else "no reference"
    return handoff


def handoff_times(
    stack: Stack, shoppers: int = SHOPPERS, at_once: int = AT_ONCE, polls: int = COST_POLLS
) -> Json:
    """The hand-offs one after another and at once, the poll's cost; then the tickets
    closed (see above)."""
    refresh_ms = page_refresh_ms(CONSOLE_JS.read_text())
    agent = Agent(stack.web_url).log_in()
    made: list[Handoff] = []
    try:
        with QueueWatch(agent) as watch:
            for _ in range(shoppers):  # each kept at once: its ticket is closed below
                made.append(ask(stack.rest_url))
            made += burst(lambda _: ask(stack.rest_url), at_once)
            watch.wait_for(h.reference for h in made if h.reference)
        waiting = len(agent.queue()["waiting"])
        cost = timed_polls(agent, polls)
        pages = [agent.page_seconds() for _ in range(PAGE_LOADS)]
    finally:
        closed = close_tickets(stack, [h.reference for h in made if h.reference])
        agent.close()
    return {
        "poll_ms": round(POLL_S * 1000),
        "page_refresh_ms": refresh_ms,
        "runs": [
            run_figures("one after another", made[:shoppers], watch.seen, refresh_ms),
            run_figures(f"{at_once} at once", made[shoppers:], watch.seen, refresh_ms),
        ],
        "queue_poll": {**poll_figures(cost, waiting, pages), "failed": watch.failures},
        "closed": closed,
    }


def timed_polls(agent: Agent, count: int) -> list[float]:
    """queue.json's answer times, asked every `POLL_S` as the watch asks."""
    times = []
    for _ in range(count):
        started = time.monotonic()
        agent.queue()
        times.append(time.monotonic() - started)
        time.sleep(max(0.0, started + POLL_S - time.monotonic()))
    return times


def close_tickets(stack: Stack, references: Sequence[str]) -> int:
    """Close the bench's tickets in the stack's store; how many were still standing."""
    if not references:
        return 0
    settings = Settings.from_env(stack.env)
    engine = build_repository(settings).engine
    try:
        tickets, now = SqlTicketStore.on(engine), settings.clock.now()
        return sum(tickets.close(r, now, TicketOutcome.CLOSED) for r in references)
    finally:
        engine.dispose()
