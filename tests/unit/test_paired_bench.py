"""The bench's saturation taken in turns (bench/paired.py): the order, and the ratio."""

from __future__ import annotations

from typing import Any, cast

from bench.load import Shoppers
from bench.paired import paired_saturation


class Timeline:
    """Bots whose speed drifts: each window is slower than the last, whoever runs it."""

    def __init__(self) -> None:
        self.windows: list[str] = []

    def bot(self, name: str, turns_per_window: int) -> Shoppers:
        timeline = self

        class Run:
            def __init__(self, turns: int) -> None:
                self.turns = turns

            def summary(self) -> dict[str, Any]:
                return {"turns": self.turns, "turns_per_s": self.turns / 10, "errors": 0}

        class Bot:
            def run(self, _name: str, _shoppers: int, _think: float, _seconds: float) -> Run:
                timeline.windows.append(name)
                drift = 1.0 - 0.1 * (len(timeline.windows) - 1)  # 10 % slower each window
                return Run(round(turns_per_window * drift))

        return cast(Shoppers, Bot())


def test_the_bots_take_turns_abba_so_a_steady_drift_weighs_on_both_alike() -> None:
    timeline = Timeline()
    stock, ours = timeline.bot("stock", 1000), timeline.bot("wismo", 1500)
    paired = paired_saturation(stock, ours, shoppers=8, seconds=10, rounds=2)
    assert timeline.windows == ["stock", "wismo", "wismo", "stock"]
    # Run one after the other, the drift alone would make ours 1.35 times the stock bot
    # (1500 * 0.9 / 1000); taken in turns, the ratio stays 1.5.
    assert paired["ratio"] == 1.5
    assert paired["stock_turns_per_s"] == [100.0, 70.0]
    assert paired["wismo_turns_per_s"] == [135.0, 120.0]
    assert paired["round_ratios"] == [1.35, 1.71]
