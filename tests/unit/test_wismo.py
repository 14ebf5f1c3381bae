from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.clock import Clock
from bot.domain.identity import Factor, FactorKind, OrderRef, RefKind
from bot.domain.shipments import ShipmentStatus
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
