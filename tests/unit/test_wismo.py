from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal

import pytest

from bot.domain.access import Grant, Level
from bot.domain.clock import Clock
from bot.domain.errors import CarrierUnavailable, NotOrderOwner, TrackingNotFound
from bot.domain.orders import Item, Shipment
from bot.domain.shipments import ShipmentStatus, Tracking
from bot.domain.verdicts import Situation
from bot.services.wismo import Wismo
from tests.unit.builders import (
    CLIENT,
    NOW,
    FakeCarrier,
    FakeOrders,
    granted_wismo,
    make_access,
    order,
    tracking,
)


def make(*orders, down: bool = False, cache: timedelta = timedelta(0)):  # type: ignore[no-untyped-def]
    store = FakeOrders(list(orders))
    carrier = FakeCarrier({"1Z999AA10123456784": tracking()}, down=down)
    return granted_wismo(store, carrier, cache), store, carrier


def test_a_report_needs_a_grant_on_the_order() -> None:
    store = FakeOrders([order(), order("WM-100001")])
    wismo = granted_wismo(store, FakeCarrier({"1Z999AA10123456784": tracking()}))
    other = replace(CLIENT, subject="another-session")
    with pytest.raises(NotOrderOwner):
        wismo.report(other, "WM-104233")
    with pytest.raises(NotOrderOwner):
        wismo.report(CLIENT, "WM-999999")


def test_a_parcel_grant_reports_that_parcel_and_nothing_of_the_contents() -> None:
    split = order(
        shipments=(
            order().shipments[0],
            Shipment("usps", "9400111899223344556677", NOW, items=()),
        ),
        items=(*order().items, Item("BAG-1", "Sleeping bag", 1, Decimal("80.00"), "USD")),
    )
    carrier = FakeCarrier({"1Z999AA10123456784": tracking()})
    store = FakeOrders([split])
    access = make_access(store)
    access._add(CLIENT, [Grant("WM-104233", Level.PARCEL, "1Z999AA10123456784")])
    wismo = Wismo(store, carrier, Clock(NOW), timedelta(0), access=access)
    report = wismo.report(CLIENT, "WM-104233")
    assert [p.shipment.tracking_number for p in report.shipments] == ["1Z999AA10123456784"]
    assert report.unshipped == () and report.level is Level.PARCEL


def test_a_report_asks_the_carrier_and_keeps_the_answer() -> None:
    wismo, store, carrier = make(order())
    report = wismo.report(CLIENT, "WM-104233")
    assert report is not None
    parcel = report.shipments[0]
    assert parcel.tracking is not None and parcel.tracking.status is ShipmentStatus.IN_TRANSIT
    assert parcel.stale_since is None
    assert store.last_snapshot("ups", "1Z999AA10123456784") is not None
    assert carrier.calls == 1


def test_a_carrier_outage_gives_the_last_known_status_with_its_time() -> None:
    wismo, store, carrier = make(order())
    wismo.report(CLIENT, "WM-104233")
    carrier.down = True
    parcel = wismo.report(CLIENT, "WM-104233").shipments[0]  # type: ignore[union-attr]
    assert parcel.tracking is not None and parcel.tracking.status is ShipmentStatus.IN_TRANSIT
    assert parcel.stale_since == NOW


def test_a_carrier_outage_with_nothing_kept_reports_no_tracking() -> None:
    wismo, *_ = make(order(), down=True)
    parcel = wismo.report(CLIENT, "WM-104233").shipments[0]  # type: ignore[union-attr]
    assert parcel.tracking is None
    assert parcel.verdict.situation is Situation.NO_TRACKING


def test_a_fresh_answer_is_reused_instead_of_asking_again() -> None:
    wismo, _, carrier = make(order(), cache=timedelta(minutes=5))
    wismo.report(CLIENT, "WM-104233")
    wismo.report(CLIENT, "WM-104233")
    assert carrier.calls == 1


# Single flight: a burst of identical questions asks the carrier once.

BURST = 100
PATIENCE = 10.0  # seconds; only so that a broken build fails instead of hanging
NUMBER = "1Z999AA10123456784"
KEY = ("ups", NUMBER)


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll until `condition` holds; fail (never hang) when it does not within PATIENCE."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.001)


@dataclass
class GatedCarrier:
    """A TrackingProvider whose answers for `held` numbers wait until the test opens the gate."""

    failure: Exception | None = None
    held: frozenset[str] = frozenset({NUMBER})
    calls: Counter[str] = field(default_factory=Counter)
    entered: threading.Event = field(default_factory=threading.Event)
    opened: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def track(self, carrier: str, tracking_number: str) -> Tracking:
        with self.lock:
            self.calls[tracking_number] += 1
        if tracking_number in self.held:
            self.entered.set()
            assert self.opened.wait(PATIENCE), "the gate was never opened"
        if self.failure is not None:
            raise self.failure
        return replace(tracking(number=tracking_number), fetched_at=NOW)


def gated(
    failure: Exception | None = None, cache: timedelta = timedelta(0), *kept: Tracking
) -> tuple[Wismo, FakeOrders, GatedCarrier]:
    store = FakeOrders([order()], {(t.carrier, t.tracking_number): t for t in kept})
    carrier = GatedCarrier(failure)
    return granted_wismo(store, carrier, cache), store, carrier


def burst(wismo: Wismo, carrier: GatedCarrier) -> list[object]:
    """BURST requests for one parcel at once; the carrier answers once all but one wait."""
    start = threading.Barrier(BURST)
    shipment = order().shipments[0]

    def ask() -> object:
        start.wait(PATIENCE)
        try:
            return wismo.tracking(shipment)
        except Exception as exc:  # the outcome under test
            return exc

    with ThreadPoolExecutor(BURST) as pool:
        asked = [pool.submit(ask) for _ in range(BURST)]
        assert carrier.entered.wait(PATIENCE)
        wait_until(lambda: wismo.flights.waiting(KEY) == BURST - 1)
        carrier.opened.set()
        return [future.result(PATIENCE) for future in asked]


def test_a_burst_of_identical_questions_asks_the_carrier_once_even_without_a_cache() -> None:
    wismo, store, carrier = gated()

    answers = burst(wismo, carrier)

    assert carrier.calls == {NUMBER: 1}
    first = answers[0]
    assert all(answer is first for answer in answers)
    assert first == (replace(tracking(), fetched_at=NOW), None)
    assert store.last_snapshot(*KEY) == first[0]  # type: ignore[index]
    assert wismo.flights.in_flight() == 0


def test_a_question_after_the_burst_is_answered_from_the_kept_snapshot() -> None:
    wismo, _, carrier = gated(cache=timedelta(minutes=5))

    answers = burst(wismo, carrier)
    later = wismo.tracking(order().shipments[0])

    assert later == answers[0]
    assert carrier.calls == {NUMBER: 1}


def test_a_carrier_outage_during_a_burst_gives_everyone_the_kept_snapshot_with_its_time() -> None:
    kept = replace(tracking(), fetched_at=NOW - timedelta(hours=1))
    wismo, _, carrier = gated(CarrierUnavailable("timed out"), timedelta(0), kept)

    answers = burst(wismo, carrier)

    assert carrier.calls == {NUMBER: 1}
    assert all(answer == (kept, kept.fetched_at) for answer in answers)
    assert answers[0] == wismo.tracking(order().shipments[0])  # as a lone request


def test_a_number_the_carrier_does_not_know_reads_unknown_for_the_whole_burst() -> None:
    wismo, _, carrier = gated(TrackingNotFound("no such code"))

    answers = burst(wismo, carrier)

    assert carrier.calls == {NUMBER: 1}
    assert all(
        answer == (Tracking("ups", NUMBER, ShipmentStatus.UNKNOWN), None) for answer in answers
    )


def test_an_unexpected_failure_reaches_every_waiting_request() -> None:
    boom = RuntimeError("carrier client bug")
    wismo, _, carrier = gated(boom)

    answers = burst(wismo, carrier)

    assert carrier.calls == {NUMBER: 1}
    assert all(answer is boom for answer in answers)
    assert wismo.flights.in_flight() == 0


def test_a_parcel_waits_only_for_its_own_carrier_call() -> None:
    wismo, _, carrier = gated()
    other = Shipment("ups", "1Z999AA10123456785")

    with ThreadPoolExecutor(1) as pool:
        stuck = pool.submit(wismo.tracking, order().shipments[0])
        assert carrier.entered.wait(PATIENCE)

        answer, _ = wismo.tracking(other)

        assert answer is not None and answer.tracking_number == other.tracking_number
        assert not stuck.done()
        carrier.opened.set()
        assert stuck.result(PATIENCE)[0] is not None
    assert carrier.calls == {NUMBER: 1, other.tracking_number: 1}
