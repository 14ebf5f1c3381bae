from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta

from bot.domain.clock import Clock
from bot.domain.errors import CarrierUnavailable, TrackingNotFound
from bot.domain.identity import Factor, FactorKind, OrderRef, RefKind
from bot.domain.orders import Shipment
from bot.domain.shipments import ShipmentStatus, Tracking
from bot.services.wismo import Wismo
from tests.unit.builders import NOW, FakeCarrier, FakeOrders, order, tracking


def make(*orders, down: bool = False, cache: timedelta = timedelta(0)):  # type: ignore[no-untyped-def]
    store = FakeOrders(list(orders))
    carrier = FakeCarrier({"1Z999AA10123456784": tracking()}, down=down)
    return Wismo(store, carrier, Clock(NOW), cache), store, carrier


def test_order_number_and_email_prove_every_order_of_that_customer() -> None:
    older = order("WM-100001", placed_at=NOW - timedelta(days=30))
    wismo, *_ = make(order(), older, order("WM-200002", email="other@example.com"))
    ref = OrderRef(RefKind.ORDER_NUMBER, "WM-104233")
    proven = wismo.verify(ref, Factor(FactorKind.EMAIL, "jane.doe@example.com"))
    assert proven == ["WM-104233", "WM-100001"]


def test_the_order_asked_about_comes_first_even_when_older() -> None:
    older = order("WM-100001", placed_at=NOW - timedelta(days=30))
    wismo, *_ = make(order(), older)
    ref = OrderRef(RefKind.ORDER_NUMBER, "WM-100001")
    assert wismo.verify(ref, Factor(FactorKind.PHONE, "4155550134")) == ["WM-100001", "WM-104233"]


def test_a_wrong_factor_and_an_unknown_order_look_the_same() -> None:
    wismo, *_ = make(order())
    wrong = wismo.verify(
        OrderRef(RefKind.ORDER_NUMBER, "WM-104233"), Factor(FactorKind.EMAIL, "mallory@example.com")
    )
    unknown = wismo.verify(
        OrderRef(RefKind.ORDER_NUMBER, "WM-999999"),
        Factor(FactorKind.EMAIL, "jane.doe@example.com"),
    )
    assert wrong == unknown == []


def test_a_postal_code_proves_only_orders_shipped_there() -> None:
    elsewhere = order(
        "WM-100001", shipping_address=replace(order().shipping_address, postal_code="10001")
    )
    wismo, *_ = make(order(), elsewhere)
    ref = OrderRef(RefKind.EMAIL, "jane.doe@example.com")
    assert wismo.verify(ref, Factor(FactorKind.POSTAL_CODE, "94107")) == ["WM-104233"]


def test_a_tracking_number_finds_its_order() -> None:
    wismo, *_ = make(order())
    ref = OrderRef(RefKind.TRACKING_NUMBER, "1Z999AA10123456784")
    assert wismo.order_number_of(ref) == "WM-104233"
    assert wismo.verify(ref, Factor(FactorKind.POSTAL_CODE, "94107")) == ["WM-104233"]


def test_a_report_asks_the_carrier_and_keeps_the_answer() -> None:
    wismo, store, carrier = make(order())
    report = wismo.report("WM-104233")
    assert report is not None
    parcel = report.shipments[0]
    assert parcel.tracking is not None and parcel.tracking.status is ShipmentStatus.IN_TRANSIT
    assert parcel.stale_since is None
    assert store.last_snapshot("ups", "1Z999AA10123456784") is not None
    assert carrier.calls == 1


def test_a_carrier_outage_gives_the_last_known_status_with_its_time() -> None:
    wismo, store, carrier = make(order())
    wismo.report("WM-104233")
    carrier.down = True
    parcel = wismo.report("WM-104233").shipments[0]  # type: ignore[union-attr]
    assert parcel.tracking is not None and parcel.tracking.status is ShipmentStatus.IN_TRANSIT
    assert parcel.stale_since == NOW


def test_a_carrier_outage_with_nothing_kept_reports_no_tracking() -> None:
    wismo, *_ = make(order(), down=True)
    parcel = wismo.report("WM-104233").shipments[0]  # type: ignore[union-attr]
    assert parcel.tracking is None and parcel.assessment is None


def test_a_fresh_answer_is_reused_instead_of_asking_again() -> None:
    wismo, _, carrier = make(order(), cache=timedelta(minutes=5))
    wismo.report("WM-104233")
    wismo.report("WM-104233")
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
    return Wismo(store, carrier, Clock(NOW), cache), store, carrier


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
