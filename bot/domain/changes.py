"""Cancelling an order or changing its address: allowed per parcel until it ships, then not.

A parcel has shipped when it left the warehouse (`Shipment.shipped_at`) or a carrier scanned
it. Once shipped, the policy's alternatives are offered instead: refusing the delivery, a
return, or a carrier redirect where that carrier offers one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.orders import Order, OrderStatus, Shipment
from bot.domain.shipments import ShipmentStatus, Tracking
from bot.domain.store_policy import Alternative, ChangeRule, StorePolicy


class Change(enum.StrEnum):
    """What the shopper wants changed."""

    CANCEL = "cancel"
    ADDRESS = "address"


class ChangeReason(enum.StrEnum):
    """Why a change is, or is not, allowed."""

    NOT_SHIPPED = "not_shipped"  # nothing has shipped: all of it can change
    PARTLY_SHIPPED = "partly_shipped"  # some parcels can change, the shipped ones cannot
    SHIPPED = "shipped"  # everything has shipped
    ORDER_CANCELLED = "order_cancelled"


@dataclass(frozen=True)
class ParcelChange:
    """Whether one parcel can still change, and if not, what the shopper can do instead."""

    tracking_number: str
    allowed: bool
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class ChangeDecision:
    """The policy's answer to a cancel or address change, parcel by parcel."""

    change: Change
    allowed: bool  # the whole order can change
    reason: ChangeReason
    parcels: tuple[ParcelChange, ...] = ()
    unshipped_allowed: bool = False  # items no parcel carries yet can change

    @property
    def alternatives(self) -> tuple[Alternative, ...]:
        """Every alternative offered for a parcel that can no longer change, once each."""
        seen = dict.fromkeys(a for p in self.parcels for a in p.alternatives)
        return tuple(seen)


_NOT_SCANNED = frozenset({ShipmentStatus.PRE_TRANSIT, ShipmentStatus.UNKNOWN})
_NEEDS_PARCEL_ON_ITS_WAY = frozenset({Alternative.REFUSE_DELIVERY, Alternative.CARRIER_REDIRECT})


def may_cancel(
    policy: StorePolicy, order: Order, now: datetime, trackings: Iterable[Tracking] = ()
) -> ChangeDecision:
    """Whether the order (or which of its parcels) can still be cancelled."""
    return _decide(Change.CANCEL, policy, policy.cancel, order, now, trackings)


def may_change_address(
    policy: StorePolicy, order: Order, now: datetime, trackings: Iterable[Tracking] = ()
) -> ChangeDecision:
    """Whether the delivery address (of the order, or of which parcels) can still change."""
    return _decide(Change.ADDRESS, policy, policy.address_change, order, now, trackings)


def has_shipped(shipment: Shipment, tracking: Tracking | None, now: datetime) -> bool:
    """Whether the parcel left the warehouse or a carrier scanned it."""
    if shipment.shipped_at is not None and shipment.shipped_at <= now:
        return True
    return tracking is not None and tracking.status not in _NOT_SCANNED


def _decide(
    change: Change,
    policy: StorePolicy,
    rule: ChangeRule,
    order: Order,
    now: datetime,
    trackings: Iterable[Tracking],
) -> ChangeDecision:
    if order.status is OrderStatus.CANCELLED:
        return ChangeDecision(change, False, ChangeReason.ORDER_CANCELLED)
    by_number = {t.tracking_number: t for t in trackings}
    shipped = {
        s.tracking_number: has_shipped(s, by_number.get(s.tracking_number), now)
        for s in order.shipments
    }
    any_shipped = any(shipped.values())
    blocked = any_shipped and not rule.per_shipment  # one shipped parcel holds the whole order
    parcels = tuple(
        ParcelChange(s.tracking_number, False, _alternatives(policy, rule, s, by_number))
        if shipped[s.tracking_number] or blocked
        else ParcelChange(s.tracking_number, True)
        for s in order.shipments
    )
    has_unshipped = bool(order.unshipped_items()) or not order.shipments
    unshipped_allowed = has_unshipped and not blocked
    if not any_shipped:
        return ChangeDecision(change, True, ChangeReason.NOT_SHIPPED, parcels, unshipped_allowed)
    some_left = unshipped_allowed or any(p.allowed for p in parcels)
    reason = ChangeReason.PARTLY_SHIPPED if some_left else ChangeReason.SHIPPED
    return ChangeDecision(change, False, reason, parcels, unshipped_allowed)


def _alternatives(
    policy: StorePolicy, rule: ChangeRule, shipment: Shipment, by_number: dict[str, Tracking]
) -> tuple[Alternative, ...]:
    """The policy's alternatives that still make sense for this parcel and its carrier."""
    tracking = by_number.get(shipment.tracking_number)
    delivered = tracking is not None and tracking.status is ShipmentStatus.DELIVERED
    offered = []
    for alternative in rule.after_shipping:
        if delivered and alternative in _NEEDS_PARCEL_ON_ITS_WAY:
            continue
        if alternative is Alternative.CARRIER_REDIRECT and not policy.can_redirect(
            shipment.carrier
        ):
            continue
        offered.append(alternative)
    return tuple(offered)
