"""Use cases of "where is my order": report where an order's parcels are."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from bot.domain.access import Client, Level
from bot.domain.clock import Clock
from bot.domain.errors import CarrierError, NotOrderOwner, StoreUnavailable, TrackingNotFound
from bot.domain.orders import Item, Order, Shipment
from bot.domain.readings import parcel_verdict, unshipped_verdict
from bot.domain.shipments import ShipmentStatus, Tracking
from bot.domain.store_policy import DEFAULT_POLICY, ClaimType, StorePolicy
from bot.domain.trends import ToldParcel
from bot.domain.verdicts import EstimateFact, Verdict
from bot.services.access import Access
from bot.services.ports import AnswerLog, OrderRepository, TrackingProvider
from bot.services.singleflight import SingleFlight


class ParcelTracking(NamedTuple):
    """What is known of a parcel now: its tracking, and since when it is stale, if it is."""

    tracking: Tracking | None  # None when nothing is known
    stale_since: datetime | None  # set when the carrier failed and this is the kept one


# What an answer told is kept at the real time, as Rasa stamps the conversation's events,
# even when WISMO_NOW fixes the store's "now" for a demo: the trends read both together.
REAL_CLOCK = Clock()
PARCEL_THREADS = 16  # parcels looked up at once, across every report of the process


@dataclass(frozen=True)
class ShipmentReport:
    """One parcel as the shopper will hear about it."""

    shipment: Shipment
    tracking: Tracking | None
    stale_since: datetime | None
    verdict: Verdict  # the policy's reading of the parcel (from no tracking, too)


@dataclass(frozen=True)
class OrderReport:
    """An order and each of its parcels, read at one instant."""

    order: Order
    now: datetime
    shipments: tuple[ShipmentReport, ...]
    unshipped: tuple[Item, ...]
    level: Level = Level.STATUS  # PARCEL: one parcel, and nothing of the order's contents
    pending: Verdict | None = None  # the policy's reading of what has not shipped yet


class Wismo:
    """Where an order is, for a client that proved it may know: over the order store,
    a carrier API, the access service and a clock."""

    def __init__(
        self,
        orders: OrderRepository,
        carriers: TrackingProvider,
        clock: Clock,
        cache_for: timedelta = timedelta(minutes=5),
        *,
        access: Access,
        wait_for: timedelta = timedelta(seconds=5),
        policy: StorePolicy = DEFAULT_POLICY,
        told: AnswerLog | None = None,
    ) -> None:
        self.orders = orders
        self.carriers = carriers
        self.clock = clock
        self.cache_for = cache_for
        self.access = access
        self.wait_for = wait_for
        self.policy = policy
        self.told = told
        self.flights: SingleFlight[tuple[str, str], ParcelTracking] = SingleFlight()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def report(
        self, client: Client, order_number: str, reported: ClaimType | None = None
    ) -> OrderReport:
        """Where every parcel of an order is, now, and what the store's policy says of it;
        `NotOrderOwner` outside the client's grant. `reported`: what the shopper says went
        wrong (a delivered parcel not found, or damaged), which the policy weighs.

        A grant on one parcel (its tracking number and postal code) shows that parcel alone,
        and nothing of what the order contains.
        """
        grant = self.access.grant_for(client, order_number, Level.PARCEL)
        order = self.orders.get_by_number(grant.order_number)
        if order is None:
            raise NotOrderOwner("the granted order is no longer in the store")
        shipments, unshipped = order.shipments, order.unshipped_items()
        if grant.level is Level.PARCEL:
            shipments = tuple(s for s in shipments if s.tracking_number == grant.tracking_number)
            unshipped = ()
        now = self.clock.now()
        answers = self._answers(shipments)
        parcels = tuple(
            self._shipment_report(order, s, now, a, reported)
            for s, a in zip(shipments, answers, strict=True)
        )
        pending = None
        if unshipped or not order.shipments:
            pending = unshipped_verdict(self.policy, order, now)
        return OrderReport(order, now, parcels, unshipped, grant.level, pending)

    def record_told(self, conversation: str, report: OrderReport) -> None:
        """Keep what an answer told of each parcel, for the leads' trends. Only statistics:
        a store that fails loses them, never the shopper's answer."""
        if self.told is None:
            return
        at = REAL_CLOCK.now()
        told = [told_parcel(conversation, at, report, p) for p in report.shipments]
        with suppress(StoreUnavailable):
            self.told.record(told)

    def _answers(self, shipments: tuple[Shipment, ...]) -> list[ParcelTracking]:
        """Every parcel looked up side by side, within one deadline for them all.

        A parcel whose carrier has not answered by then is told from its last kept snapshot.
        """
        if not shipments:
            return []
        pool = self._parcel_pool()
        futures = [pool.submit(self.tracking, shipment) for shipment in shipments]
        wait(futures, timeout=self.wait_for.total_seconds())
        for future in futures:
            future.cancel()  # one still queued would only ask a carrier nobody waits for
        return [
            f.result()
            if f.done() and not f.cancelled() and f.exception() is None
            else self._kept(s)
            for f, s in zip(futures, shipments, strict=True)
        ]

    def _shipment_report(
        self,
        order: Order,
        shipment: Shipment,
        now: datetime,
        answer: ParcelTracking,
        reported: ClaimType | None,
    ) -> ShipmentReport:
        tracking, stale_since = answer
        verdict = parcel_verdict(self.policy, order, shipment, tracking, now, reported)
        return ShipmentReport(shipment, tracking, stale_since, verdict)

    def _kept(self, shipment: Shipment) -> ParcelTracking:
        """The last kept snapshot of a parcel, stale since it was fetched (None when none)."""
        kept = self.orders.last_snapshot(shipment.carrier, shipment.tracking_number)
        return ParcelTracking(kept, kept.fetched_at if kept else None)

    def _parcel_pool(self) -> ThreadPoolExecutor:
        """The threads that look parcels up side by side, started on first use."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(PARCEL_THREADS, thread_name_prefix="parcels")
            return self._pool

    def tracking(self, shipment: Shipment) -> ParcelTracking:
        """Fresh tracking, or the last kept one with its time when the carrier fails.

        Concurrent requests for one parcel share one look-up, cache check included:
        while one asks the carrier, the others wait for its answer instead of asking too.
        """
        key = (shipment.carrier, shipment.tracking_number)
        return self.flights.do(key, lambda: self._look_up(*key))

    def _look_up(self, carrier: str, tracking_number: str) -> ParcelTracking:
        """The kept snapshot while fresh, else the carrier's answer (kept for next time)."""
        kept = self.orders.last_snapshot(carrier, tracking_number)
        now = self.clock.now()
        if kept and kept.fetched_at and now - kept.fetched_at < self.cache_for:
            return ParcelTracking(kept, None)
        try:
            fresh = self.carriers.track(carrier, tracking_number)
        except TrackingNotFound:
            return ParcelTracking(Tracking(carrier, tracking_number, ShipmentStatus.UNKNOWN), None)
        except CarrierError:
            return ParcelTracking(kept, kept.fetched_at if kept else None)
        # Keeping the answer is an optimisation: the shopper gets it either way.
        with suppress(StoreUnavailable):
            self.orders.save_snapshot(fresh)
        return ParcelTracking(fresh, None)


def told_parcel(
    conversation: str, at: datetime, report: OrderReport, parcel: ShipmentReport
) -> ToldParcel:
    """What an answer told of one parcel at `at`: the policy's reading, the cause, the day."""
    estimate = parcel.verdict.fact(EstimateFact)
    cause = parcel.verdict.cause
    return ToldParcel(
        conversation=conversation,
        at=at,
        order_number=report.order.order_number,
        carrier=parcel.shipment.carrier,
        tracking_number=parcel.shipment.tracking_number,
        situation=parcel.verdict.situation,
        cause=cause.value if cause is not None else None,
        estimate=estimate.day if estimate is not None else None,
    )
