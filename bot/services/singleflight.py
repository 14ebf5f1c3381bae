"""Single flight: concurrent calls for one key share one execution and its outcome.

The first caller of a key (the leader) runs the function; callers that arrive
while it runs (followers) wait and get the same return value, or the same
exception. The key is forgotten as soon as the call lands, so a later caller
starts a new flight: calls in progress are shared, nothing is cached.
Thread-safe; the lock guards only the table of flights, never a call, so calls
for different keys run side by side.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class _Flight(Generic[V]):
    """One call in progress: its outcome to come, and how many callers wait for it."""

    outcome: Future[V] = field(default_factory=Future)
    followers: int = 0


class SingleFlight(Generic[K, V]):
    """At most one call per key at a time; callers arriving meanwhile share its outcome."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[K, _Flight[V]] = {}

    def do(self, key: K, function: Callable[[], V]) -> V:
        """`function()`, or the outcome of the call already in flight for `key`."""
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
            else:
                flight.followers += 1
        if not leader:
            return flight.outcome.result()
        try:
            value = function()
        except BaseException as exc:  # even KeyboardInterrupt: no follower may wait forever
            flight.outcome.set_exception(exc)
            raise
        else:
            flight.outcome.set_result(value)
            return value
        finally:
            with self._lock:
                del self._flights[key]

    def waiting(self, key: K) -> int:
        """How many callers wait for the call in flight for `key` (0 when there is none)."""
        with self._lock:
            flight = self._flights.get(key)
            return flight.followers if flight is not None else 0

    def in_flight(self) -> int:
        """How many keys have a call in flight."""
        with self._lock:
            return len(self._flights)
