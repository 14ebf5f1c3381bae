from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.services.singleflight import SingleFlight

BURST = 100
PATIENCE = 10.0  # seconds; only so that a broken build fails instead of hanging


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll until `condition` holds; fail (never hang) when it does not within PATIENCE."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.001)


class Gate:
    """A function that counts its calls and blocks until opened."""

    def __init__(self, outcome: Callable[[], object]) -> None:
        self.outcome = outcome
        self.calls = 0
        self.entered = threading.Event()
        self.opened = threading.Event()

    def __call__(self) -> object:
        self.calls += 1
        self.entered.set()
        assert self.opened.wait(PATIENCE), "the gate was never opened"
        return self.outcome()


def burst(flights: SingleFlight[str, object], gate: Gate) -> list[object]:
    """BURST callers of key "k" at once; the gate opens once all but the leader wait on it."""
    start = threading.Barrier(BURST)

    def ask() -> object:
        start.wait(PATIENCE)
        try:
            return flights.do("k", gate)
        except Exception as exc:  # the outcome under test
            return exc

    with ThreadPoolExecutor(BURST) as pool:
        asked = [pool.submit(ask) for _ in range(BURST)]
        assert gate.entered.wait(PATIENCE)
        wait_until(lambda: flights.waiting("k") == BURST - 1)
        gate.opened.set()
        return [future.result(PATIENCE) for future in asked]


def test_concurrent_calls_for_one_key_share_one_execution() -> None:
    flights: SingleFlight[str, object] = SingleFlight()
    answer = object()
    gate = Gate(lambda: answer)

    answers = burst(flights, gate)

    assert gate.calls == 1
    assert all(a is answer for a in answers) and len(answers) == BURST
    assert flights.in_flight() == 0


def test_every_waiting_caller_gets_the_leaders_exception() -> None:
    flights: SingleFlight[str, object] = SingleFlight()
    boom = RuntimeError("boom")

    def fail() -> object:
        raise boom

    gate = Gate(fail)

    answers = burst(flights, gate)

    assert gate.calls == 1
    assert all(a is boom for a in answers)
    assert flights.in_flight() == 0


def test_a_call_after_the_flight_landed_runs_again() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    calls: list[int] = []

    def count() -> int:
        calls.append(1)
        return len(calls)

    assert flights.do("k", count) == 1
    assert flights.do("k", count) == 2
    with pytest.raises(ZeroDivisionError):
        flights.do("k", lambda: 1 // 0)
    assert flights.do("k", count) == 3
    assert flights.in_flight() == 0


def test_different_keys_do_not_wait_on_each_other() -> None:
    flights: SingleFlight[str, object] = SingleFlight()
    slow = Gate(lambda: "slow")

    with ThreadPoolExecutor(1) as pool:
        stuck = pool.submit(flights.do, "slow", slow)
        assert slow.entered.wait(PATIENCE)

        assert flights.do("quick", lambda: "quick") == "quick"

        assert not stuck.done()
        slow.opened.set()
        assert stuck.result(PATIENCE) == "slow"
    assert flights.in_flight() == 0
