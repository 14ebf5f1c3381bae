"""Saturation of the stock bot and ours taken in turns, on both warm stacks at once.

A machine whose speed drifts (another tenant, a throttled CPU) makes two saturation
runs minutes apart disagree by more than the difference being measured: on
2026-12-05 the same loop ran 3 to 7 times slower from one minute to the next. Here the
two bots take turns, window by window, in the order stock, ours, ours, stock, ...
(ABBA: a drift that is steady over a round weighs on both alike), and the ratio is
our turns over the stock bot's, summed over equal windows.
"""

from __future__ import annotations

from typing import Any

from bench.load import Shoppers

Json = dict[str, Any]


def paired_saturation(
    stock: Shoppers, wismo: Shoppers, shoppers: int, seconds: float, rounds: int
) -> Json:
    """`rounds` rounds of one saturation window each, stock and ours, in ABBA order."""
    windows: dict[str, list[Json]] = {"stock": [], "wismo": []}
    bots = {"stock": stock, "wismo": wismo}
    for number in range(rounds):
        order = ("stock", "wismo") if number % 2 == 0 else ("wismo", "stock")
        for bot in order:
            run = bots[bot].run(f"paired {number + 1}", shoppers, 0.0, seconds)
            windows[bot].append(run.summary())
    stock_turns = sum(w["turns"] for w in windows["stock"])
    wismo_turns = sum(w["turns"] for w in windows["wismo"])
    return {
        "rounds": rounds,
        "shoppers": shoppers,
        "window_s": seconds,
        "stock_turns_per_s": [w["turns_per_s"] for w in windows["stock"]],
        "wismo_turns_per_s": [w["turns_per_s"] for w in windows["wismo"]],
        "errors": sum(w["errors"] for w in windows["stock"] + windows["wismo"]),
        "ratio": round(wismo_turns / stock_turns, 2) if stock_turns else None,
        "round_ratios": [
            round(w["turns"] / s["turns"], 2) if s["turns"] else None
            for s, w in zip(windows["stock"], windows["wismo"], strict=True)
        ],
    }
