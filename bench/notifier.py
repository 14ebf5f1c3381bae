"""The notifier's throughput: status changes per second it turns into texts sent.

`PARCELS` copies of the in-transit demo order, each with its own order number,
phone and UPS number, are imported and subscribed to SMS updates (straight into
the subscription store: the consent a shopper's "text me updates" stores). Once
the notifier has seen every parcel (its poll makes the sandbox carrier's
trackers, whose webhooks then take the parcel as it stands as their baseline),
one import adds an "out for delivery" scan to all of them. The clock runs from
that import's end until the fake Twilio holds an update for every phone, along
the real path: the sandbox's webhook round (`SANDBOX_WEBHOOK_SECONDS`), the web
process's notices ledger, the notifier's round (`NOTIFIER_INTERVAL_SECONDS`) and
one Rasa turn per notice. The two rounds bound how soon the first text comes;
the sending rate after it is the notifier's and Rasa's. A few rounds later, each
phone must still hold one update: none is sent twice.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import requests

from bench.copies import Json, import_document, order_copies
from bench.phones import MESSAGES_PATH
from bot.adapters.db.notices import SqlNoticeStore, SqlSubscriptionStore
from bot.bootstrap import build_repository
from bot.config import Settings
from bot.demo import SCENARIOS
from bot.domain.notices import Subscription
from tests.support.stack import Stack

PARCELS = 100  # at most the notifier's batch: its poll watches 100 orders a round
COPIES = 900_000  # orders WM-900000 ... and phones +15550900000 ... of the subscribed
UPDATE_TEXT = "Out for delivery"
CHANNEL = "twilio"
POLL_S = 0.1  # how often the fake is asked while the updates come
TIMEOUT_S = 120.0
QUIET_AFTER_S = 4.0  # rounds enough for a second text to one phone to show


def subscribed_parcels(now: datetime, count: int = PARCELS) -> Json:
    """`count` copies of the in-transit demo order and its parcel, each its own shopper's."""
    return order_copies(now, [SCENARIOS["in_transit"]], count, COPIES)


def phones_of(document: Json) -> list[str]:
    """The customers' phones of an import document's orders."""
    return [order["customer"]["phone"] for order in document["orders"]]


def out_for_delivery(parcels: Json, now: datetime) -> Json:
    """An import document adding one scan, out for delivery at `now`, to every parcel."""
    scan = {
        "time": now.isoformat(),
        "status": "out_for_delivery",
        "detail": "out_for_delivery",
        "description": UPDATE_TEXT,
        "location": {"city": "Oakland", "region": "CA", "postal_code": None, "country": "US"},
    }
    tracking = [{**t, "events": [*t["events"], scan]} for t in parcels["tracking"]]
    return {"orders": [], "tracking": tracking}


def updates_by_phone(
    messages: Sequence[Mapping[str, Any]], phones: Sequence[str]
) -> dict[str, int]:
    """How many out-for-delivery updates the fake holds for each phone."""
    counts = dict.fromkeys(phones, 0)
    for message in messages:
        if message.get("to") in counts and UPDATE_TEXT in str(message.get("body", "")):
            counts[message["to"]] += 1
    return counts


def throughput(
    counts: Mapping[str, int], arrivals: Sequence[float], others: int, env: Mapping[str, str]
) -> Json:
    """The figures: `arrivals` are the seconds from the import's end at which each phone's
    first update showed; `counts` the updates each phone holds a few rounds later."""
    parcels, done = len(counts), sorted(arrivals)
    seconds = done[-1] if len(done) == parcels and done else None
    sending = done[-1] - done[0] if len(done) > 1 else 0.0
    return {
        "parcels": parcels,
        "updated": sum(1 for n in counts.values() if n),
        "twice_or_more": sum(1 for n in counts.values() if n > 1),
        "other_texts": others,
        "first_s": round(done[0], 2) if done else None,
        "all_s": None if seconds is None else round(seconds, 2),
        "changes_per_s": round(parcels / seconds, 1) if seconds else None,
        "sending_per_s": round((len(done) - 1) / sending, 1) if sending else None,
        "notifier_interval_s": float(env.get("NOTIFIER_INTERVAL_SECONDS", "5")),
        "webhook_interval_s": float(env.get("SANDBOX_WEBHOOK_SECONDS", "2")),
        "poll_s": POLL_S,
    }


def notifier_throughput(stack: Stack, now: datetime, count: int = PARCELS) -> Json:
    """Subscribe `count` parcels, move them all in one import, time the texts (see above)."""
    parcels = subscribed_parcels(now, count)
    import_document(stack, parcels)
    engine = build_repository(Settings.from_env(stack.env)).engine
    try:
        subscriptions, notices = SqlSubscriptionStore.on(engine), SqlNoticeStore.on(engine)
        for order in parcels["orders"]:
            recipient = f"sms:{order['customer']['phone']}"
            subscriptions.subscribe(Subscription(order["order_number"], CHANNEL, recipient, now))
        numbers = [t["tracking_number"] for t in parcels["tracking"]]
        stack.wait_until(
            lambda: all(notices.last_change(n) is not None for n in numbers),
            TIMEOUT_S,
            "waiting for the notifier to see the subscribed parcels",
        )
    finally:
        engine.dispose()
    # The sandbox's webhooks take each new tracker as it stands at their next round.
    time.sleep(2 * float(stack.env.get("SANDBOX_WEBHOOK_SECONDS", "2")) + 0.5)
    import_document(stack, out_for_delivery(parcels, now))
    return watch_updates(stack, phones_of(parcels), time.monotonic())


def watch_updates(stack: Stack, phones: Sequence[str], since: float) -> Json:
    """Poll the fake Twilio until every phone holds an update (or time runs out); figures."""
    url = f"http://127.0.0.1:{stack.env['FAKES_PORT']}{MESSAGES_PATH}"
    arrivals: dict[str, float] = {}
    while len(arrivals) < len(phones) and time.monotonic() - since < TIMEOUT_S:
        counts = updates_by_phone(requests.get(url, timeout=30).json(), phones)
        seen = time.monotonic() - since
        arrivals.update({p: seen for p, n in counts.items() if n and p not in arrivals})
        time.sleep(POLL_S)
    time.sleep(QUIET_AFTER_S)
    messages = requests.get(url, timeout=30).json()
    counts = updates_by_phone(messages, phones)
    mine = set(phones)
    others = sum(1 for m in messages if m.get("to") in mine) - sum(counts.values())
    return throughput(counts, list(arrivals.values()), others, stack.env)
