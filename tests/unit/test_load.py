"""The load generator's shoppers pause as people do: about the same, never in step."""

from __future__ import annotations

import random
from statistics import mean

from bench.load import Shoppers


def pauses(spread: float, think: float = 2.0, count: int = 2000) -> list[float]:
    shoppers = Shoppers("http://127.0.0.1:9/unused", iter(()), spread=spread)
    jitter = random.Random(3)  # noqa: S311 (jitter, not secrets)
    return [shoppers.pause(jitter, think) for _ in range(count)]


def test_pauses_average_the_think_time_and_stay_within_its_spread() -> None:
    drawn = pauses(spread=0.5)
    assert min(drawn) >= 1.0
    assert max(drawn) <= 3.0
    assert abs(mean(drawn) - 2.0) < 0.05


def test_pauses_differ_from_turn_to_turn_so_shoppers_do_not_march_in_step() -> None:
    drawn = pauses(spread=0.5)
    assert len({round(p, 3) for p in drawn}) > len(drawn) // 2
    assert max(drawn) - min(drawn) > 1.5


def test_no_spread_gives_the_fixed_pause() -> None:
    assert set(pauses(spread=0.0, count=50)) == {2.0}


def test_saturation_has_no_pause() -> None:
    assert set(pauses(spread=0.5, think=0.0, count=50)) == {0.0}
