"""The demo's simulated shoppers: the mix (who says what), the spread over the week, and
one conversation held over a channel played here."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import requests

from bot.demo import SCENARIOS, build_demo
from bot.demo.seed import converse
from bot.demo.shoppers import (
    NPS_CUE,
    PREFIX,
    SMS_ORDERS,
    Kind,
    Shopper,
    Turn,
    mix,
    spread,
)

NOW = datetime.fromisoformat("2026-11-20T15:00:00-05:00")
DOC = build_demo(NOW)
ORDERS = {order["order_number"]: order for order in DOC["orders"]}


def rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 (a demo's mix, not a secret)


def shoppers(count: int, seed: int = 17) -> list[Shopper]:
    return mix(count, DOC, rng(seed))


def said(shopper: Shopper) -> str:
    return " ".join(turn.text for turn in shopper.turns)


def test_sixty_shoppers_are_mostly_status_questions_with_every_other_kind_too() -> None:
    kinds = Counter(s.kind for s in shoppers(60))
    assert kinds == {
        Kind.STATUS: 18,
        Kind.SMS: 9,
        Kind.LATE: 6,
        Kind.STALLED: 6,
        Kind.HANDOFF: 6,
        Kind.ABANDONED: 6,
        Kind.FAQ: 6,
        Kind.FRUSTRATED: 3,
    }


def test_six_shoppers_use_rest_and_sms_and_one_asks_for_a_person() -> None:
    six = shoppers(6)
    assert [s.kind for s in six] == [
        Kind.STATUS,
        Kind.SMS,
        Kind.LATE,
        Kind.STATUS,
        Kind.HANDOFF,
        Kind.ABANDONED,
    ]
    assert "talk to a person" in said(six[4])


def test_rest_senders_are_marked_as_seeded_and_each_is_its_own() -> None:
    rest = [s.sender for s in shoppers(60) if not s.phone]
    assert all(sender.startswith(PREFIX) for sender in rest)
    assert len(set(rest)) == len(rest)


def test_an_sms_shopper_texts_from_the_phone_on_the_order_it_asks_about() -> None:
    for shopper in (s for s in shoppers(60) if s.kind is Kind.SMS):
        number = shopper.turns[0].text.removeprefix("where is my order ").rstrip("?")
        assert ORDERS[number]["customer"]["phone"] == shopper.phone
        assert shopper.sender == f"sms:{shopper.phone}"


def test_when_the_phones_run_out_the_shoppers_ask_over_rest() -> None:
    many = shoppers(200)
    phones = [s.phone for s in many if s.phone]
    assert len(phones) == len(set(phones)) == len(SMS_ORDERS)
    assert len(many) == 200


def test_the_readme_tours_first_order_is_left_for_the_reader() -> None:
    everything = " ".join(said(s) for s in shoppers(200))
    assert SCENARIOS["in_transit"] not in everything
    assert "jane.doe@example.com" not in everything


def test_a_resolved_shopper_gives_a_score_only_when_the_bot_asks() -> None:
    status = next(s for s in shoppers(6) if s.kind is Kind.STATUS)
    bye = [t.text for t in status.turns].index("thanks, bye")
    assert status.turns[bye + 1].cue == NPS_CUE
    abandoned = next(s for s in shoppers(6) if s.kind is Kind.ABANDONED)
    assert len(abandoned.turns) == 1  # leaves before proving the order


def test_status_shoppers_prove_the_order_by_its_email_or_its_zip() -> None:
    for shopper in (s for s in shoppers(60) if s.kind is Kind.STATUS):
        number = next(n for n in ORDERS if n in said(shopper))
        email = ORDERS[number]["customer"]["email"]
        postal = ORDERS[number]["shipping_address"]["postal_code"]
        assert email in said(shopper) or f"my zip is {postal}" in said(shopper)


def test_the_spread_moves_each_back_whole_days_and_some_hours_within_the_week() -> None:
    names = [f"c{i}" for i in range(60)]
    offsets = spread(names, rng(3))
    assert set(offsets) == set(names)
    assert all(timedelta(0) <= o < timedelta(days=6, hours=12) for o in offsets.values())
    days = Counter(o.days for o in offsets.values())
    assert set(days) == set(range(7)) and max(days.values()) - min(days.values()) <= 1


def test_a_few_conversations_fall_on_as_many_days() -> None:
    offsets = spread(["a", "b", "c", "d", "e", "f"], rng(17))
    assert len({o.days for o in offsets.values()}) == 6


def test_the_same_seed_gives_the_same_mix_and_spread() -> None:
    assert shoppers(20, 5) == shoppers(20, 5)
    assert spread(["a", "b"], rng(5)) == spread(["a", "b"], rng(5))


class PlayedChannels:
    """The bot, played: fixed replies in turn; an error on the text `fail`."""

    def __init__(self, replies: list[str]) -> None:
        self.replies, self.heard = replies, []  # type: ignore[var-annotated]

    def say(self, http: requests.Session, shopper: Shopper, text: str) -> str:
        if text == "fail":
            raise requests.ConnectionError("down")
        self.heard.append(text)
        return self.replies.pop(0)


def test_a_conversation_stops_where_the_cue_did_not_come() -> None:
    shopper = Shopper(Kind.STATUS, "x", (Turn("hi"), Turn("9", NPS_CUE), Turn("why")))
    channels = PlayedChannels(["Thanks for shopping with Woodland Market. Bye for now!"])
    assert converse(channels, shopper) == 1  # type: ignore[arg-type]
    assert channels.heard == ["hi"]


def test_a_cue_given_is_answered_and_a_channel_error_ends_the_conversation() -> None:
    shopper = Shopper(Kind.STATUS, "x", (Turn("bye"), Turn("9", NPS_CUE), Turn("fail")))
    channels = PlayedChannels(["Before you go: How likely are you to recommend us?", "Why?"])
    assert converse(channels, shopper) == 2  # type: ignore[arg-type]
    assert channels.heard == ["bye", "9"]
