"""The ports: what the services need from the outside world."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.domain.orders import Order
from bot.domain.shipments import Tracking


class OrderRepository(Protocol):
    """The order store."""

    def get_by_number(self, order_number: str) -> Order | None:
        """The order with this (normalized) number, or None."""
        ...

    def find_by_email(self, email: str) -> list[Order]:
        """Every order of the customer with this email (case-insensitive), newest first."""
        ...

    def get_by_tracking(self, tracking_number: str) -> Order | None:
        """The order one of whose shipments has this tracking number, or None."""
        ...

    def save_snapshot(self, tracking: Tracking) -> None:
        """Keep the latest tracking answer of a parcel (replaces the previous one)."""
        ...

    def last_snapshot(self, carrier: str, tracking_number: str) -> Tracking | None:
        """The last tracking answer kept for a parcel, with its `fetched_at`."""
        ...

    def import_batch(self, orders: Sequence[Order], trackings: Sequence[Tracking]) -> None:
        """Upsert orders (by number) and sandbox trackings (by carrier and number) atomically."""
        ...


class SandboxTrackingSource(Protocol):
    """What the sandbox carrier serves: the imported tracking histories."""

    def sandbox_tracking(self, carrier: str, tracking_number: str) -> Tracking | None:
        """The imported history of a parcel, or None when it was never imported."""
        ...


class TrackingProvider(Protocol):
    """A carrier API client, carrier-neutral."""

    def track(self, carrier: str, tracking_number: str) -> Tracking:
        """The parcel's current tracking; raises a `CarrierError` subclass on failure."""
        ...
