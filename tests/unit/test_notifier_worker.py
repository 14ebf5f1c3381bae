"""The notifier's rounds (bot/workers/notifier.py): sends every round, sweeps seldom."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime
from typing import Any

from bot.domain.clock import Clock
from bot.workers import notifier as worker
from tests.unit.builders import NOW


class CountingNotifier:
    """Counts each step; stops the worker after `rounds` sends."""

    def __init__(self, stop: threading.Event, rounds: int) -> None:
        self.calls: Counter[str] = Counter()
        self.stop, self.rounds = stop, rounds

    def _step(self, name: str) -> Any:
        def step(now: datetime) -> int:
            self.calls[name] += 1
            if name == "send_due" and self.calls["send_due"] >= self.rounds:
                self.stop.set()
            return 0

        return step

    def __getattr__(self, name: str) -> Any:
        return self._step(name)


def test_every_round_sends_but_the_sweeps_over_all_orders_wait_their_interval() -> None:
    stop = threading.Event()
    fake = CountingNotifier(stop, rounds=5)
    worker.run(fake, Clock(NOW), 0.0, stop, sweep_every=3600)  # type: ignore[arg-type]
    assert fake.calls["send_due"] == fake.calls["queue_check_backs"] == 5
    assert fake.calls["poll"] == fake.calls["check_at_risk"] == 1


def test_a_round_that_sweeps_runs_every_step_even_after_one_fails() -> None:
    stop = threading.Event()
    fake = CountingNotifier(stop, rounds=1)
    fake.poll = lambda now: 1 / 0  # type: ignore[method-assign]
    worker.one_round(fake, NOW)  # type: ignore[arg-type]
    assert fake.calls["check_at_risk"] == fake.calls["send_due"] == 1
