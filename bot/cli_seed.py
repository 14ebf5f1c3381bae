"""`wismo seed`: the demo's conversations, real ones with the bot, spread over a week.

    wismo seed                      60 simulated shoppers, once Rasa answers
    wismo seed --count 6            fewer
    wismo seed --wait-after         then wait until stopped (the Procfile's `seed:` line:
                                    honcho stops the whole stack when one process ends)

Shoppers talk to the running stack over its real channels (bot/demo/seed.py); the event
consumer copies their conversations into the log; then each seeded conversation moves
back by whole days and some hours (bot/adapters/db/seeded.py), so the leads' pages and
`wismo report --since 7d` have a week to show. A log that holds seeded conversations
already is left as it is. Hand-offs are taken and closed by the demo's agent, Ana, in the
console's own way, so no old ticket waits in the queue.
"""

from __future__ import annotations

import argparse
import random
import signal
import threading
from collections.abc import Callable
from types import FrameType

from bot.adapters.db.accounts import SqlAccountStore
from bot.adapters.db.seeded import SqlSeededConversations
from bot.bootstrap import build_console, build_repository
from bot.config import Settings
from bot.demo import build_demo
from bot.demo.seed import Channels, converse_all, wait_until
from bot.demo.shoppers import PREFIX, mix, spread
from bot.domain.accounts import Account
from bot.domain.errors import WismoError
from bot.services.console import Console

OK, FAILED, USAGE = 0, 1, 2
AGENT = "ana"  # the demo's agent (bot/cli_users.py), who takes the seeded hand-offs
READY_S = 600.0  # Rasa loads its model first; on a busy machine that takes minutes
SETTLE_S = 2.0


def seed_arguments(parser: argparse.ArgumentParser) -> None:
    """`wismo seed [--count N] [--wait-after] [--anywhere]`."""
    parser.add_argument("--count", type=int, default=60, help="shoppers (default 60; 0: none)")
    parser.add_argument("--wait-after", action="store_true", help="then wait until stopped")
    parser.add_argument("--random-seed", type=int, default=17, help="the mix's (default 17)")
    parser.add_argument("--log-timeout", type=float, default=180.0, help="seconds (default 180)")
    parser.add_argument(
        "--anywhere", action="store_true", help="into a database server too, not only SQLite"
    )


def run_seed(args: argparse.Namespace, settings: Settings) -> int:
    """Seed the demo's conversations (unless there are some); then wait if asked to."""
    if args.count < 0:
        print("wismo seed: --count must be 0 or more", flush=True)
        status = USAGE
    elif args.count == 0:
        print("wismo seed: no demo conversations (SEED_CONVERSATIONS=0)", flush=True)
        status = OK
    elif not (args.anywhere or settings.database_url.startswith("sqlite:")):
        print("wismo seed: not into the configured database server; --anywhere does", flush=True)
        status = OK
    else:
        try:
            status = seed(settings, args.count, args.random_seed, args.log_timeout)
        except WismoError as exc:
            print(f"wismo seed: {exc}", flush=True)
            status = FAILED
    if args.wait_after:
        _wait_for_a_signal()
    return status


def seed(settings: Settings, count: int, random_seed: int, log_timeout: float) -> int:
    """Drive `count` shoppers, wait for the log, spread their conversations over a week."""
    repository = build_repository(settings)
    store = SqlSeededConversations.on(repository.engine)
    if store.any_named(PREFIX):
        print("wismo seed: the conversation log has the demo's conversations already", flush=True)
        return OK
    fakes = f"http://127.0.0.1:{settings.fakes_port}"
    channels = Channels(settings.rasa_url, settings.rasa_token, fakes)
    if not wait_until(channels.ready, READY_S):
        print(f"wismo seed: Rasa ({settings.rasa_url}) did not answer", flush=True)
        return FAILED
    rng = random.Random(random_seed)  # noqa: S311 (a demo's mix, not a secret)
    shoppers = mix(count, build_demo(settings.clock.now()), rng)
    known = store.known(s.sender for s in shoppers)  # a phone someone texted from already
    shoppers = [s for s in shoppers if s.sender not in known]
    print(f"wismo seed: {len(shoppers)} simulated shoppers talking to the bot ...", flush=True)
    sent = converse_all(channels, shoppers)
    agent = SqlAccountStore.on(repository.engine).by_username(AGENT)
    console = build_console(settings, repository)
    handed = close_hand_offs(console, agent, store.open_tickets(sent)) if agent else 0
    if not wait_until(_settled(store, sent), log_timeout, SETTLE_S):
        print("wismo seed: the event consumer did not store the conversations", flush=True)
        return FAILED
    store.shift(spread(list(sent), rng))
    texted = sum(1 for sender in sent if not sender.startswith(PREFIX))
    print(
        f"wismo seed: {len(sent)} demo conversations with the bot ({len(sent) - texted} over "
        f"REST, {texted} by SMS; {handed} handed to {AGENT}), spread over the last 7 days: "
        "/console/conversations, /console/trends, `wismo report --since 7d`",
        flush=True,
    )
    return OK


def close_hand_offs(console: Console, agent: Account, references: list[str]) -> int:
    """The agent takes each ticket, answers and closes it, as in the console; how many."""
    closed = 0
    for reference in references:
        try:
            console.take(reference, agent)
            console.reply(reference, agent, "Hi, I'm on it: I've asked the carrier to check.")
            console.close(reference, agent)
        except WismoError as exc:  # one left in the queue is no reason to stop the seed
            print(f"wismo seed: ticket {reference} stays open: {exc}", flush=True)
            continue
        closed += 1
    return closed


def _settled(store: SqlSeededConversations, sent: dict[str, int]) -> Callable[[], bool]:
    """A check: the log has every message sent, and no new event since the last look."""
    last = [-1]

    def check() -> bool:
        held = store.messages(sent)
        complete = all(held.get(sender, (0, 0))[0] >= n for sender, n in sent.items())
        events = sum(n for _, n in held.values())
        steady, last[0] = events == last[0], events
        return complete and steady

    return check


def _wait_for_a_signal() -> None:
    """Wait until SIGTERM or SIGINT (honcho's stop), then return."""
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    stop.wait()
