"""Cancelling, changing the address and claims under the store's policy, at their edges."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from bot.domain.changes import ChangeReason, may_cancel, may_change_address
from bot.domain.claim_rules import ClaimDecision, ClaimReason, Refund, claim_decision
from bot.domain.orders import Address, Customer, Item, Order, OrderStatus, Shipment, ShipmentItem
from bot.domain.shipments import ShipmentStatus, Tracking
from bot.domain.store_policy import (
    DEFAULT_POLICY,
    Alternative,
    ChangeRule,
    ClaimType,
    Offer,
    RefundBasis,
)

EST = timezone(timedelta(hours=-5))
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=EST)
MINUTE = timedelta(minutes=1)
P = DEFAULT_POLICY
TENT = Item("TENT", "Tent", 1, Decimal("189.00"), "USD")
STOVE = Item("STOVE", "Stove", 2, Decimal("24.50"), "USD")


def parcel(number: str, carrier: str, shipped_at: datetime | None, sku: str) -> Shipment:
    return Shipment(
        carrier, number, shipped_at, items=(ShipmentItem(sku, 1 if sku == "TENT" else 2),)
    )


def split_order(
    *shipments: Shipment, status: OrderStatus = OrderStatus.PARTIALLY_FULFILLED
) -> Order:
    return Order(
        "WM-1",
        NOW - timedelta(days=2),
        status,
        Customer("Jane", "jane@example.com"),
        Address("1 Main St", "Springfield", "12345", "US"),
        (TENT, STOVE),
        shipments,
    )


def status_of(number: str, status: ShipmentStatus) -> Tracking:
    return Tracking("ups", number, status)


# --- cancel and address change -------------------------------------------------------------


def test_nothing_shipped_means_the_whole_order_can_be_cancelled() -> None:
    decision = may_cancel(
        P, split_order(parcel("A", "ups", None, "TENT"), status=OrderStatus.PROCESSING), NOW
    )
    assert decision.allowed and decision.reason is ChangeReason.NOT_SHIPPED
    assert decision.unshipped_allowed


def test_a_parcel_can_be_cancelled_until_the_minute_it_ships() -> None:
    ships = NOW + MINUTE
    order = split_order(parcel("A", "ups", ships, "TENT"))
    assert may_cancel(P, order, ships - MINUTE).parcels[0].allowed
    after = may_cancel(P, order, ships + MINUTE)
    assert not after.parcels[0].allowed
    assert after.parcels[0].alternatives == (Alternative.REFUSE_DELIVERY, Alternative.RETURN)


def test_a_carrier_scan_means_shipped_even_without_a_ship_time() -> None:
    order = split_order(parcel("A", "ups", None, "TENT"))
    moving = status_of("A", ShipmentStatus.IN_TRANSIT)
    assert not may_cancel(P, order, NOW, (moving,)).parcels[0].allowed
    label = status_of("A", ShipmentStatus.PRE_TRANSIT)
    assert may_cancel(P, order, NOW, (label,)).parcels[0].allowed


def test_each_parcel_of_a_split_order_is_decided_on_its_own() -> None:
    order = split_order(
        parcel("A", "ups", NOW - timedelta(days=1), "TENT"), parcel("B", "ups", None, "STOVE")
    )
    decision = may_cancel(P, order, NOW)
    assert [p.allowed for p in decision.parcels] == [False, True]
    assert not decision.allowed and decision.reason is ChangeReason.PARTLY_SHIPPED


def test_without_per_shipment_one_shipped_parcel_holds_the_whole_order() -> None:
    strict = replace(P, cancel=ChangeRule(False, P.cancel.after_shipping))
    order = split_order(
        parcel("A", "ups", NOW - timedelta(days=1), "TENT"), parcel("B", "ups", None, "STOVE")
    )
    decision = may_cancel(strict, order, NOW)
    assert [p.allowed for p in decision.parcels] == [False, False]
    assert decision.reason is ChangeReason.SHIPPED


def test_a_redirect_is_offered_only_where_the_carrier_offers_one() -> None:
    shipped = NOW - timedelta(days=1)
    ups = may_change_address(P, split_order(parcel("A", "ups", shipped, "TENT")), NOW)
    dhl = may_change_address(P, split_order(parcel("A", "dhl", shipped, "TENT")), NOW)
    assert ups.alternatives == (Alternative.CARRIER_REDIRECT, Alternative.REFUSE_DELIVERY)
    assert dhl.alternatives == (Alternative.REFUSE_DELIVERY,)


def test_a_delivered_parcel_can_only_be_returned() -> None:
    order = split_order(parcel("A", "ups", NOW - timedelta(days=3), "TENT"))
    delivered = status_of("A", ShipmentStatus.DELIVERED)
    assert may_cancel(P, order, NOW, (delivered,)).alternatives == (Alternative.RETURN,)


def test_a_cancelled_order_cannot_change() -> None:
    order = split_order(status=OrderStatus.CANCELLED)
    assert may_change_address(P, order, NOW).reason is ChangeReason.ORDER_CANCELLED


# --- claims ---------------------------------------------------------------------------------


def claim(
    claim_type: ClaimType,
    after: timedelta | None,
    value: str = "50.00",
    previous: int = 0,
    carrier: str | None = None,
) -> ClaimDecision:
    delivered = NOW - timedelta(days=40)
    order = split_order(
        parcel("A", "ups", delivered - timedelta(days=3), "TENT"), status=OrderStatus.FULFILLED
    )
    return claim_decision(
        P,
        order,
        claim_type,
        delivered + (after or timedelta(0)),
        delivered if after is not None else None,
        previous,
        Decimal(value),
        carrier=carrier,
        shipping_paid=Decimal("9.95"),
    )


def test_a_not_received_claim_opens_36_hours_after_the_delivered_scan() -> None:
    early = claim(ClaimType.NOT_RECEIVED, timedelta(hours=35, minutes=59))
    assert not early.allowed and early.reason is ClaimReason.TOO_EARLY
    assert early.opens_at == NOW - timedelta(days=40) + timedelta(hours=36)
    assert claim(ClaimType.NOT_RECEIVED, timedelta(hours=36, minutes=1)).allowed


def test_a_carriers_own_wait_opens_the_claim_later() -> None:
    assert not claim(
        ClaimType.NOT_RECEIVED, timedelta(hours=47, minutes=59), carrier="usps"
    ).allowed
    assert claim(ClaimType.NOT_RECEIVED, timedelta(hours=48, minutes=1), carrier="usps").allowed


def test_a_not_received_claim_closes_after_30_days() -> None:
    assert claim(ClaimType.NOT_RECEIVED, timedelta(days=30) - MINUTE).allowed
    late = claim(ClaimType.NOT_RECEIVED, timedelta(days=30) + MINUTE)
    assert not late.allowed and late.reason is ClaimReason.TOO_LATE


def test_a_damage_claim_closes_after_14_days_and_needs_photos() -> None:
    within = claim(ClaimType.DAMAGED, timedelta(days=14) - MINUTE)
    assert within.allowed and within.photos_required
    assert claim(ClaimType.DAMAGED, timedelta(days=14) + MINUTE).reason is ClaimReason.TOO_LATE


def test_a_claim_needs_a_delivered_scan_and_a_lost_claim_none() -> None:
    assert claim(ClaimType.NOT_RECEIVED, None).reason is ClaimReason.NOT_DELIVERED
    assert claim(ClaimType.LOST, timedelta(days=1)).reason is ClaimReason.ALREADY_DELIVERED
    assert claim(ClaimType.LOST, None).allowed


def test_the_refund_covers_what_the_claim_type_says() -> None:
    order_refund = claim(ClaimType.NOT_RECEIVED, timedelta(days=2)).refund
    item_refund = claim(ClaimType.DAMAGED, timedelta(days=2), value="24.50").refund
    assert order_refund == Refund(RefundBasis.ORDER, Decimal("238.00"), Decimal("9.95"))
    assert item_refund == Refund(RefundBasis.ITEM, Decimal("24.50"), Decimal("0"))


def test_a_claim_worth_more_than_150_goes_to_a_person() -> None:
    assert not claim(ClaimType.DAMAGED, timedelta(days=2), value="150.00").needs_person
    over = claim(ClaimType.DAMAGED, timedelta(days=2), value="150.01")
    assert over.allowed and over.needs_person and over.reason is ClaimReason.OVER_VALUE


def test_a_repeat_claim_goes_to_a_person() -> None:
    assert not claim(ClaimType.DAMAGED, timedelta(days=2), previous=0).needs_person
    repeat = claim(ClaimType.DAMAGED, timedelta(days=2), previous=1)
    assert repeat.needs_person and repeat.reason is ClaimReason.REPEAT_CLAIM


def test_above_the_reship_limit_only_a_refund_is_offered() -> None:
    assert claim(ClaimType.DAMAGED, timedelta(days=2), value="300.00").remedies == (
        Offer.RESHIP,
        Offer.REFUND,
    )
    assert claim(ClaimType.DAMAGED, timedelta(days=2), value="300.01").remedies == (Offer.REFUND,)


def test_a_claim_on_a_cancelled_order_is_refused() -> None:
    order = split_order(status=OrderStatus.CANCELLED)
    decision = claim_decision(P, order, ClaimType.LOST, NOW, None, 0, Decimal("10"))
    assert decision.reason is ClaimReason.ORDER_CANCELLED


def test_the_policy_has_a_remedy_for_every_claim_type() -> None:
    assert set(P.remedies) == set(ClaimType)
    assert P.remedies[ClaimType.LOST].refund is RefundBasis.ORDER
    assert date(2026, 11, 26) in P.ship_window.holidays
