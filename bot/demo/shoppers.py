"""The demo's simulated shoppers: who says what (`mix`), and when it will read as said
(`spread`). Pure: `bot/demo/seed.py` drives them through the bot's real channels.

A shopper is a list of turns. A turn may wait for a cue: it is said only when the bot's
last replies contain it (the NPS question comes only once a week per shopper, so the
score is given only when asked). A shopper whose cue did not come stops there.

    shoppers = mix(60, build_demo(now), random.Random(17))
    offsets = spread([s.sender for s in shoppers], random.Random(17))
"""

from __future__ import annotations

import enum
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.demo.scenarios import SCENARIOS

PREFIX = "demo-seed-"  # the REST senders of seeded conversations; the log is asked for it
SMS_PREFIX = "sms:"  # Rasa's sender id of an SMS conversation: the phone
DAYS = 7
LATEST_HOUR = 12  # a conversation moves back by at most 6 days and 12 hours: inside "7d"
NPS_CUE = "how likely are you to recommend"
REASON_CUE = "main reason"


class Kind(enum.StrEnum):
    """What a simulated shopper came for."""

    STATUS = "status"  # asks, proves the order, hears the status, says goodbye
    SMS = "sms"  # the same by SMS: the phone proves the order
    LATE = "late"
    STALLED = "stalled"
    HANDOFF = "handoff"  # asks for a person
    ABANDONED = "abandoned"  # leaves before proving the order
    FRUSTRATED = "frustrated"  # late, then two annoyed messages: a person is offered, then handed
    FAQ = "faq"


@dataclass(frozen=True)
class Turn:
    """What the shopper says; said only if the bot's last replies contain `cue`."""

    text: str
    cue: str = ""


@dataclass(frozen=True)
class Shopper:
    """One simulated shopper: a conversation over REST (`phone` empty) or SMS."""

    kind: Kind
    sender: str  # REST: the sender id; SMS: Rasa's sender id, "sms:" and the phone
    turns: tuple[Turn, ...]
    phone: str = ""


# Ten in a row give every kind; a seed of N takes the first N of the deck, repeated.
DECK = (
    *(Kind.STATUS, Kind.SMS, Kind.LATE, Kind.STATUS, Kind.HANDOFF, Kind.ABANDONED),
    *(Kind.STALLED, Kind.STATUS, Kind.FAQ, Kind.SMS, Kind.FRUSTRATED, Kind.STATUS),
    *(Kind.LATE, Kind.STATUS, Kind.SMS, Kind.ABANDONED, Kind.FAQ, Kind.STATUS),
    *(Kind.STALLED, Kind.HANDOFF),
)
# Orders whose status answer asks nothing back (no claim offered): the README's first
# example (WM-104233, Jane) is left out so the tour's NPS question is still Jane's to hear.
STATUS_ORDERS = (
    "out_for_delivery", "delivered_signed_for", "no_estimate", "processing", "on_hold",
    "partially_fulfilled", "split_shipment_half_delivered", "address_issue", "returned",
    "unknown_status", "international_uk", "carrier_exception", "cancellable", "backordered",
)  # fmt: skip
LATE_ORDERS = (
    "late_weather", "late_carrier_delay", "late_customs", "late_revised_date", "trending_late",
)  # fmt: skip
STALLED_ORDERS = ("stuck", "stalled_past_estimate", "forgotten_label", "processing_late")
SMS_ORDERS = (
    "attempt_failed", "available_for_pickup", "split_shipment", "pre_transit", "not_tracked",
    "late_carrier_delay", "trending_late", "unknown_status", "no_estimate",
    "delivered_signed_for",
)  # fmt: skip
OPENERS = {
    Kind.STATUS: ("where is my order?", "where is my order {}", "has {} shipped yet?"),
    Kind.LATE: ("my order is late", "my order {} is late", "will {} arrive on time?"),
    Kind.STALLED: ("it hasn't moved in days", "order {} hasn't moved in days"),
}
FOLLOW_UPS = ("when will it get here?", "ok thanks", "which carrier is it with?")
FAQS = (
    "how long does shipping take?", "do you ship internationally?", "how do returns work?",
    "how much is shipping?", "what do the order statuses mean?",
)  # fmt: skip
# (score, reason): happier after a plain status, less so after a late or stalled parcel.
PLEASED = (
    ("10", "Quick and clear, thanks"), ("9", "It told me the delivery date straight away."),
    ("9", "Easy, no waiting on hold"), ("8", "Good, but I had to look up my order number"),
    ("10", "skip"), ("no thanks", ""),
)  # fmt: skip
DISPLEASED = (
    ("7", "Clear answer, but the parcel is still late"), ("5", "The delay is annoying"),
    ("3", "My order is stuck and nobody can fix it"), ("8", "At least I know the new date"),
    ("no", ""),
)  # fmt: skip


def mix(count: int, document: Mapping[str, Any], rng: random.Random) -> list[Shopper]:
    """`count` shoppers, in the deck's proportions, about the demo `document`'s orders.

    SMS shoppers text from the phone on their order, one phone each (on SMS the phone is
    the conversation); when the phones run out, the shopper asks over REST instead.
    """
    orders = {order["order_number"]: order for order in document["orders"]}
    used = {kind: 0 for kind in Kind}
    shoppers = []
    for index in range(count):
        kind = DECK[index % len(DECK)]
        if kind is Kind.SMS and used[Kind.SMS] >= len(SMS_ORDERS):
            kind = Kind.STATUS
        nth, used[kind] = used[kind], used[kind] + 1
        shoppers.append(_shopper(kind, nth, orders, rng))
    return shoppers


def _shopper(kind: Kind, nth: int, orders: Mapping[str, Any], rng: random.Random) -> Shopper:
    sender = f"{PREFIX}{kind.value}-{uuid.UUID(int=rng.getrandbits(128)).hex[:12]}"
    if kind is Kind.SMS:
        order = orders[SCENARIOS[SMS_ORDERS[nth]]]
        phone = order["customer"]["phone"]
        turns = (Turn(f"where is my order {order['order_number']}?"), *_goodbye(PLEASED, rng))
        return Shopper(kind, SMS_PREFIX + phone, turns, phone)
    if kind is Kind.FAQ:
        return Shopper(kind, sender, (Turn(FAQS[nth % len(FAQS)]), Turn("thanks, bye")))
    if kind is Kind.ABANDONED:
        order = orders[SCENARIOS[STATUS_ORDERS[nth % len(STATUS_ORDERS)]]]
        opener = "where is my package?" if nth % 2 else f"where is {order['order_number']}"
        return Shopper(kind, sender, (Turn(opener),))
    pools = {Kind.LATE: LATE_ORDERS, Kind.STALLED: STALLED_ORDERS, Kind.FRUSTRATED: LATE_ORDERS}
    pool = pools.get(kind, STATUS_ORDERS)
    order = orders[SCENARIOS[pool[nth % len(pool)]]]
    openers = OPENERS.get(kind, OPENERS[Kind.STATUS])
    asked = _asked(openers[nth % len(openers)], order, nth)
    if kind is Kind.HANDOFF:
        return Shopper(kind, sender, (*asked, Turn("can I talk to a person please?")))
    if kind is Kind.FRUSTRATED:  # a late parcel, and two annoyed messages about it
        angry = ("this is ridiculous", "this is so frustrating, you're useless")
        return Shopper(kind, sender, (*asked, *map(Turn, angry)))
    follow = (Turn(FOLLOW_UPS[nth % len(FOLLOW_UPS)]),) if nth % 2 else ()
    feelings = PLEASED if kind is Kind.STATUS else DISPLEASED
    return Shopper(kind, sender, (*asked, *follow, *_goodbye(feelings, rng)))


def _asked(opener: str, order: Mapping[str, Any], nth: int) -> tuple[Turn, ...]:
    """Ask about the order, then prove it: by email, or by the ZIP it ships to."""
    number = order["order_number"]
    email = order["customer"]["email"]
    proof = email if nth % 3 else f"my zip is {order['shipping_address']['postal_code']}"
    if "{}" in opener:
        return (Turn(opener.format(number)), Turn(proof))
    return (Turn(opener), Turn(number), Turn(proof))


def _goodbye(feelings: Sequence[tuple[str, str]], rng: random.Random) -> tuple[Turn, ...]:
    """ "Thanks, bye"; the NPS score and reason if the bot asks for them."""
    score, reason = rng.choice(feelings)
    turns = [Turn("thanks, bye"), Turn(score, NPS_CUE)]
    if reason:
        turns.append(Turn(reason, REASON_CUE))
    return tuple(turns)


def spread(conversations: Sequence[str], rng: random.Random) -> dict[str, timedelta]:
    """How far back each conversation moves: a whole number of days (each of the last
    `DAYS` days in turn, shuffled) and some hours and minutes, less than 6 days 12 hours."""
    days = [index % DAYS for index in range(len(conversations))]
    rng.shuffle(days)
    return {
        conversation: timedelta(
            days=day, hours=rng.randrange(LATEST_HOUR), minutes=rng.randrange(60)
        )
        for conversation, day in zip(conversations, days, strict=True)
    }
