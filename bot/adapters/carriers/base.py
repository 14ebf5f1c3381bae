"""What every carrier adapter promises: a `TrackingProvider` that fails only with
`CarrierError` and its subclasses (the tree is drawn in `bot.domain.errors`).

The classes live in `bot.domain.errors` so that services can catch them without
importing an adapter; they are re-exported here for the adapters' convenience.
Library exceptions (`requests`, `json`) never leave an adapter: each client
translates them into one of the classes above.

`GuardedCarrier` wraps any provider with what every carrier needs in front of it:
one circuit breaker per carrier, and a refused key logged at ERROR once per window.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pybreaker

from bot.domain.errors import (
    CarrierAuthError,
    CarrierError,
    CarrierUnavailable,
    TrackingNotFound,
)
from bot.domain.shipments import Tracking
from bot.services.ports import TrackingProvider

__all__ = [
    "CarrierAuthError",
    "CarrierError",
    "CarrierUnavailable",
    "GuardedCarrier",
    "TrackingNotFound",
    "TrackingProvider",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
AUTH_LOG_WINDOW = 300.0  # seconds between two ERROR lines about one carrier's refused key


class _Breaker(pybreaker.CircuitBreaker):
    """pybreaker's state machine without its lock around the guarded call.

    `CircuitBreaker.call` holds one lock for the whole call, which would make calls
    to one carrier wait for each other (a hung one would hold up the rest). The
    state changes (open, half-open, close) still take that lock.
    """

    def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`func(*args, **kwargs)` under the breaker's current state."""
        return self.state.call(func, *args, **kwargs)


def _not_an_outage(exc: BaseException) -> bool:
    """Only an unavailable carrier counts towards opening its breaker."""
    return not isinstance(exc, CarrierUnavailable)


class GuardedCarrier:
    """A TrackingProvider that fails fast while a carrier is down and reports a refused key."""

    def __init__(
        self,
        provider: TrackingProvider,
        failures: int = 5,
        reset_seconds: float = 30.0,
        auth_log_window: float = AUTH_LOG_WINDOW,
    ) -> None:
        self._provider = provider
        self._failures = failures
        self._reset_seconds = reset_seconds
        self._auth_log_window = auth_log_window
        self._lock = threading.Lock()
        self._breakers: dict[str, _Breaker] = {}
        self._auth_logged: dict[str, float] = {}

    def track(self, carrier: str, tracking_number: str) -> Tracking:
        """The provider's answer; CarrierUnavailable at once while the carrier's breaker is open."""
        try:
            return self._breaker(carrier).call(self._provider.track, carrier, tracking_number)
        except pybreaker.CircuitBreakerError as exc:
            raise CarrierUnavailable(f"{carrier}: failing fast after repeated failures") from exc
        except CarrierAuthError as exc:
            self._log_refused_key(carrier, exc)
            raise

    def _breaker(self, carrier: str) -> _Breaker:
        with self._lock:
            breaker = self._breakers.get(carrier)
            if breaker is None:
                breaker = self._breakers[carrier] = _Breaker(
                    fail_max=self._failures,
                    reset_timeout=self._reset_seconds,
                    exclude=[_not_an_outage],
                    name=carrier,
                )
            return breaker

    def _log_refused_key(self, carrier: str, exc: CarrierAuthError) -> None:
        """ERROR once per window and carrier: a revoked key must be seen, not flood the log."""
        now = time.monotonic()
        with self._lock:
            last = self._auth_logged.get(carrier)
            if last is not None and now - last < self._auth_log_window:
                return
            self._auth_logged[carrier] = now
        log.error(
            "carrier %s refused our API key (silenced for %g s): %s",
            carrier,
            self._auth_log_window,
            exc,
        )
