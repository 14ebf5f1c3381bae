"""Claims: whether one may be made now, what it earns, and when a person must decide.

The caller counts the customer's earlier claims within `policy.refunds.repeat_within` and
passes the claim's value; money is Decimal throughout.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.domain.orders import Order, OrderStatus
from bot.domain.store_policy import ClaimType, Offer, RefundBasis, RemedyRule, StorePolicy


class ClaimReason(enum.StrEnum):
    """Why a claim is allowed, refused, or sent to a person."""

    IN_WINDOW = "in_window"
    TOO_EARLY = "too_early"  # still inside the wait after the delivered scan
    TOO_LATE = "too_late"  # the claim window has closed
    NOT_DELIVERED = "not_delivered"  # no delivered scan to claim against
    ALREADY_DELIVERED = "already_delivered"  # a lost claim on a delivered parcel
    ORDER_CANCELLED = "order_cancelled"
    OVER_VALUE = "over_value"  # allowed, but worth more than the bot may decide
    REPEAT_CLAIM = "repeat_claim"  # allowed, but the customer claimed recently


@dataclass(frozen=True)
class Refund:
    """What a refund is worth: the goods and the shipping paid."""

    basis: RefundBasis
    goods: Decimal
    shipping: Decimal

    @property
    def total(self) -> Decimal:
        """The whole amount refunded."""
        return self.goods + self.shipping


@dataclass(frozen=True)
class ClaimDecision:
    """The policy's answer to a claim."""

    allowed: bool
    reason: ClaimReason
    remedies: tuple[Offer, ...] = ()
    refund: Refund | None = None
    needs_person: bool = False
    photos_required: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None


def claim_decision(
    policy: StorePolicy,
    order: Order,
    claim_type: ClaimType,
    now: datetime,
    delivered_at: datetime | None,
    previous_claims_in_window: int,
    value: Decimal,
    *,
    carrier: str | None = None,
    shipping_paid: Decimal = Decimal("0"),
) -> ClaimDecision:
    """Whether a claim may be made now, the remedies offered, and whether a person decides."""
    refused = _refusal(policy, order, claim_type, now, delivered_at, carrier)
    if refused is not None:
        return refused
    rule = policy.remedies[claim_type]
    refund = _refund(rule, order, value, shipping_paid)
    remedies = _remedies(rule, value)
    if refund is not None and Offer.REFUND not in remedies:
        refund = None
    worth = max(value, refund.total) if refund is not None else value
    reason = ClaimReason.IN_WINDOW
    if previous_claims_in_window > 0:
        reason = ClaimReason.REPEAT_CLAIM
    elif worth > policy.refunds.person_above:
        reason = ClaimReason.OVER_VALUE
    photos = claim_type is ClaimType.DAMAGED and policy.damaged.photos_required
    return ClaimDecision(
        True,
        reason,
        remedies,
        refund,
        needs_person=reason is not ClaimReason.IN_WINDOW,
        photos_required=photos,
        closes_at=_closes_at(policy, claim_type, delivered_at),
    )


def _refusal(
    policy: StorePolicy,
    order: Order,
    claim_type: ClaimType,
    now: datetime,
    delivered_at: datetime | None,
    carrier: str | None,
) -> ClaimDecision | None:
    """A refused claim, or None when the claim may be made now."""
    if order.status is OrderStatus.CANCELLED:
        return ClaimDecision(False, ClaimReason.ORDER_CANCELLED)
    if claim_type is ClaimType.LOST:
        if delivered_at is not None:
            return ClaimDecision(False, ClaimReason.ALREADY_DELIVERED)
        return None
    if delivered_at is None:
        return ClaimDecision(False, ClaimReason.NOT_DELIVERED)
    closes = _closes_at(policy, claim_type, delivered_at)
    if claim_type is ClaimType.NOT_RECEIVED:
        wait = policy.wait(carrier) if carrier else policy.delivered_not_received.wait
        opens = delivered_at + wait
        if now < opens:
            return ClaimDecision(False, ClaimReason.TOO_EARLY, opens_at=opens, closes_at=closes)
    if closes is not None and now > closes:
        return ClaimDecision(False, ClaimReason.TOO_LATE, closes_at=closes)
    return None


def _closes_at(
    policy: StorePolicy, claim_type: ClaimType, delivered_at: datetime | None
) -> datetime | None:
    if delivered_at is None or claim_type is ClaimType.LOST:
        return None
    window = policy.damaged if claim_type is ClaimType.DAMAGED else policy.delivered_not_received
    return delivered_at + window.claim_within


def _remedies(rule: RemedyRule, value: Decimal) -> tuple[Offer, ...]:
    """The remedies offered; above the reship limit, a refund only."""
    too_dear = rule.reship_up_to is not None and value > rule.reship_up_to
    return tuple(r for r in rule.offer if not (r is Offer.RESHIP and too_dear))


def _refund(
    rule: RemedyRule, order: Order, value: Decimal, shipping_paid: Decimal
) -> Refund | None:
    """What a refund under this rule is worth."""
    if Offer.REFUND not in rule.offer:
        return None
    if rule.refund is RefundBasis.SHIPPING:
        return Refund(rule.refund, Decimal("0"), shipping_paid)
    goods = value
    if rule.refund is RefundBasis.ORDER:
        goods = sum((i.unit_price * i.quantity for i in order.items), Decimal("0"))
    shipping = shipping_paid if rule.include_shipping else Decimal("0")
    return Refund(rule.refund, goods, shipping)
