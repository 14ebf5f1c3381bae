"""Use cases of "where is my order": find, verify, report."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.domain.errors import CarrierError, StoreUnavailable, TrackingNotFound
from bot.domain.identity import (
    Factor,
    OrderRef,
    RefKind,
    can_prove,
    proves_customer,
    verified_scope,
)
from bot.domain.orders import Item, Order, Shipment
from bot.domain.policy import Assessment, assess
from bot.domain.shipments import ShipmentStatus, Tracking
from bot.services.ports import OrderRepository, TrackingProvider
from bot.services.singleflight import SingleFlight

# A parcel's tracking (None when unknown) and, when it is a stale kept one, since when.
Answer = tuple[Tracking | None, datetime | None]


@dataclass(frozen=True)
class ShipmentReport:
    """One parcel as the shopper will hear about it."""

    shipment: Shipment
    tracking: Tracking | None
    stale_since: datetime | None
    assessment: Assessment | None


@dataclass(frozen=True)
class OrderReport:
    """An order and each of its parcels, read at one instant."""

    order: Order
    now: datetime
    shipments: tuple[ShipmentReport, ...]
    unshipped: tuple[Item, ...]


class Wismo:
    """The use cases, over an order store, a carrier API and a clock."""

    def __init__(
        self,
        orders: OrderRepository,
        carriers: TrackingProvider,
        clock: Clock,
        cache_for: timedelta = timedelta(minutes=5),
    ) -> None:
        self.orders = orders
        self.carriers = carriers
        self.clock = clock
        self.cache_for = cache_for
        self.flights: SingleFlight[tuple[str, str], Answer] = SingleFlight()

    def candidates(self, ref: OrderRef) -> list[Order]:
        """The orders an identifier points at (several for an email)."""
        if ref.kind is RefKind.EMAIL:
            return self.orders.find_by_email(ref.value)
        if ref.kind is RefKind.ORDER_NUMBER:
            order = self.orders.get_by_number(ref.value)
        else:
            order = self.orders.get_by_tracking(ref.value)
        return [order] if order else []

    def order_number_of(self, ref: OrderRef) -> str | None:
        """The order an order or tracking number points at, if it exists."""
        if ref.kind is RefKind.EMAIL:
            return None
        found = self.candidates(ref)
        return found[0].order_number if found else None

    def verify(self, ref: OrderRef, factor: Factor) -> list[str]:
        """Order numbers the shopper proved are theirs; empty when nothing matches.

        The order an order or tracking number points at comes first. An unknown
        identifier and a wrong factor look the same from outside.
        """
        if not can_prove(ref, factor):
            return []
        proven = verified_scope(self.candidates(ref), factor)
        if proven and proves_customer(factor) and ref.kind is not RefKind.EMAIL:
            pointed = proven[0]
            siblings = verified_scope(self.orders.find_by_email(pointed.customer.email), factor)
            proven = [pointed, *(o for o in siblings if o.order_number != pointed.order_number)]
        return [order.order_number for order in proven]

    def orders_in(self, order_numbers: list[str]) -> list[Order]:
        """The verified orders, newest first."""
        found = [self.orders.get_by_number(number) for number in order_numbers]
        return sorted((o for o in found if o), key=lambda o: o.placed_at, reverse=True)

    def report(self, order_number: str) -> OrderReport | None:
        """Where every parcel of an order is, now."""
        order = self.orders.get_by_number(order_number)
        if order is None:
            return None
        now = self.clock.now()
        parcels = tuple(self._shipment_report(order, s, now) for s in order.shipments)
        return OrderReport(order, now, parcels, order.unshipped_items())

    def _shipment_report(self, order: Order, shipment: Shipment, now: datetime) -> ShipmentReport:
        tracking, stale_since = self.tracking(shipment)
        assessment = assess(order, tracking, now) if tracking else None
        return ShipmentReport(shipment, tracking, stale_since, assessment)

    def tracking(self, shipment: Shipment) -> Answer:
        """Fresh tracking, or the last kept one with its time when the carrier fails.

        Concurrent requests for one parcel share one look-up, cache check included:
        while one asks the carrier, the others wait for its answer instead of asking too.
        """
        key = (shipment.carrier, shipment.tracking_number)
        return self.flights.do(key, lambda: self._look_up(*key))

    def _look_up(self, carrier: str, tracking_number: str) -> Answer:
        """The kept snapshot while fresh, else the carrier's answer (kept for next time)."""
        kept = self.orders.last_snapshot(carrier, tracking_number)
        now = self.clock.now()
        if kept and kept.fetched_at and now - kept.fetched_at < self.cache_for:
            return kept, None
        try:
            fresh = self.carriers.track(carrier, tracking_number)
        except TrackingNotFound:
            return Tracking(carrier, tracking_number, ShipmentStatus.UNKNOWN), None
        except CarrierError:
            return kept, (kept.fetched_at if kept else None)
        # Keeping the answer is an optimisation: the shopper gets it either way.
        with suppress(StoreUnavailable):
            self.orders.save_snapshot(fresh)
        return fresh, None
