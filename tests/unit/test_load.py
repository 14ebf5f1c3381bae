"""The load generator's shoppers pause as people do: about the same, never in step."""

from __future__ import annotations

import itertools
import random
from datetime import datetime
from statistics import mean

from bench.load import Shoppers, varied_scripts, wismo_scripts


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


def test_new_wording_scripts_open_each_conversation_in_the_next_words_and_go_on_the_same() -> None:
    now = datetime.fromisoformat("2026-11-20T15:00:00-05:00")
    openers = ["any news on my parcel", "wheres my stuff"]
    varied = list(itertools.islice(varied_scripts(now, openers), 3))
    plain = list(itertools.islice(wismo_scripts(now), 3))
    for index, (new, old) in enumerate(zip(varied, plain, strict=True)):
        number = old[1].expect
        assert new[0].text == f"{openers[index % 2]} (order {number})"
        assert new[1:] == old[1:]
