"""Use cases that change an order or file a claim, under the store's policy.

Each needs the change level of proof on the order (the order number plus its
email, or a one-time code): `Access.grant_for` refuses anything less with
`NotOrderOwner`. The policy decides; the store records only what the policy
allowed, and a claim only once the shopper agreed to a remedy it offered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from bot.domain.access import Client, Level
from bot.domain.changes import Change, ChangeDecision, may_cancel, may_change_address
from bot.domain.claim_rules import ClaimDecision, claim_decision
from bot.domain.claims import (
    CheckBack,
    CheckBackKind,
    Claim,
    ClaimState,
    ClaimType,
    Conversation,
    ReferenceTaken,
    Remedy,
    new_reference,
    normalize_reference,
)
from bot.domain.clock import Clock
from bot.domain.errors import NotOrderOwner, WismoError
from bot.domain.orders import Address, Order
from bot.domain.shipments import Tracking
from bot.domain.store_policy import DEFAULT_POLICY, Offer, StorePolicy
from bot.services.access import Access
from bot.services.ports import CheckBackRepository, ClaimRepository, OrderRepository

FOLLOW_UP_AFTER = timedelta(days=3)
REFERENCE_TRIES = 5


class RemedyNotOffered(WismoError):
    """The shopper picked a remedy the policy did not offer for this claim."""


@dataclass(frozen=True)
class ChangeOutcome:
    """What the policy decided, and the order as it is now (changed only when allowed)."""

    decision: ChangeDecision
    order: Order


@dataclass
class Changes:
    """Cancel, change the address, claim: decided by the policy, kept by the store."""

    orders: OrderRepository
    claims: ClaimRepository
    check_backs: CheckBackRepository
    access: Access
    policy: StorePolicy = DEFAULT_POLICY
    clock: Clock = field(default_factory=Clock)

    def _order(self, client: Client, order_number: str, level: Level = Level.CHANGE) -> Order:
        self.access.grant_for(client, order_number, level)
        order = self.orders.get_by_number(order_number)
        if order is None:
            raise NotOrderOwner("the granted order is no longer in the store")
        return order

    def conversation(self, client: Client) -> Conversation:
        """How a stored promise names the client's conversation: a keyed digest, never its id."""
        return Conversation(
            client.channel, self.access.digest(f"conv:{client.channel}:{client.conversation}")
        )

    def preview(
        self, client: Client, order_number: str, change: Change, trackings: Sequence[Tracking]
    ) -> ChangeDecision:
        """Whether the policy would allow a change now (status level: nothing is changed)."""
        order = self._order(client, order_number, Level.STATUS)
        decide = may_cancel if change is Change.CANCEL else may_change_address
        return decide(self.policy, order, self.clock.now(), trackings)

    def cancel_order(
        self, client: Client, order_number: str, by: Conversation, trackings: Sequence[Tracking]
    ) -> ChangeOutcome:
        """Cancel the order if the policy allows it now; else the alternatives, unchanged."""
        order = self._order(client, order_number)
        now = self.clock.now()
        decision = may_cancel(self.policy, order, now, trackings)
        if decision.allowed:
            order = self.orders.cancel(order_number, now, by) or order
        return ChangeOutcome(decision, order)

    def change_address(
        self,
        client: Client,
        order_number: str,
        address: Address,
        by: Conversation,
        trackings: Sequence[Tracking],
    ) -> ChangeOutcome:
        """Send the order to a new address if nothing has shipped; else the alternatives."""
        order = self._order(client, order_number)
        now = self.clock.now()
        decision = may_change_address(self.policy, order, now, trackings)
        if decision.allowed:
            order = self.orders.change_address(order_number, address, now, by) or order
        return ChangeOutcome(decision, order)

    def claim_offer(
        self,
        client: Client,
        order_number: str,
        claim_type: ClaimType,
        delivered_at: datetime | None,
        carrier: str | None = None,
        tracking_number: str | None = None,
    ) -> ClaimDecision:
        """What the policy offers for this claim now (status level: nothing is recorded).

        A claim on one parcel is worth what that parcel carries; on the order, all of it.
        """
        order = self._order(client, order_number, Level.STATUS)
        now = self.clock.now()
        since = now - self.policy.refunds.repeat_within
        previous = self.claims.count_for_customer(order.customer.email, since)
        return claim_decision(
            self.policy,
            order,
            claim_type,
            now,
            delivered_at,
            previous,
            parcel_value(order, tracking_number),
            carrier=carrier,
        )

    def open_claim(
        self,
        client: Client,
        order_number: str,
        claim_type: ClaimType,
        remedy: Remedy,
        by: Conversation,
        *,
        tracking_number: str | None = None,
        delivered_at: datetime | None = None,
        carrier: str | None = None,
        recipient: str | None = None,
    ) -> Claim:
        """File the claim the shopper agreed to; asking twice gives the claim already filed.

        `recipient` (the conversation's sender id) lets the notifier deliver the follow-up.
        """
        self._order(client, order_number)
        decision = self.claim_offer(
            client, order_number, claim_type, delivered_at, carrier, tracking_number
        )
        if not decision.allowed:
            raise RemedyNotOffered(f"no claim can be filed now: {decision.reason.value}")
        if _offer_of(remedy) not in decision.remedies:
            raise RemedyNotOffered(f"{remedy.value} is not offered for this claim")
        now = self.clock.now()
        state = ClaimState.NEEDS_PERSON if decision.needs_person else ClaimState.OPEN
        amount = decision.refund.total if decision.refund and remedy is not Remedy.RESHIP else None
        claim = self._add(
            order_number, tracking_number, claim_type, state, remedy, amount, now, client
        )
        self.check_backs.schedule(
            CheckBack(
                order_number,
                CheckBackKind.CLAIM_FOLLOW_UP,
                datetime.combine(claim.follow_up_on, now.timetz()),
                by,
                now,
                claim_reference=claim.reference,
                recipient=recipient,
            )
        )
        return claim

    def _add(
        self,
        order_number: str,
        tracking_number: str | None,
        claim_type: ClaimType,
        state: ClaimState,
        remedy: Remedy,
        amount: Decimal | None,
        now: datetime,
        client: Client,
    ) -> Claim:
        currency = self._order(client, order_number).items[0].currency if amount else None
        for _ in range(REFERENCE_TRIES):
            try:
                return self.claims.add(
                    Claim(
                        new_reference(),
                        order_number,
                        tracking_number,
                        claim_type,
                        state,
                        remedy,
                        amount,
                        currency,
                        now,
                        (now + FOLLOW_UP_AFTER).date(),
                        now,
                    )
                )
            except ReferenceTaken:
                continue
        raise ReferenceTaken("no free claim reference after several tries")

    def promise_check_back(
        self,
        client: Client,
        order_number: str,
        kind: CheckBackKind,
        due_at: datetime,
        recipient: str | None = None,
    ) -> CheckBack:
        """Store a promise to get back to the shopper at `due_at`; once per order, kind, time.

        `recipient` is the conversation's sender id the notifier delivers it to (None: the
        promise is kept but cannot be delivered, and its notice is recorded as failed).
        """
        self._order(client, order_number, Level.STATUS)
        by = self.conversation(client)
        return self.check_backs.schedule(
            CheckBack(order_number, kind, due_at, by, self.clock.now(), recipient=recipient)
        )

    def claims_of(self, client: Client, order_number: str) -> list[Claim]:
        """An order's claims, oldest first, for a client that may see the order."""
        self._order(client, order_number, Level.STATUS)
        return self.claims.for_order(order_number)

    def find_claim(self, client: Client, reference: str) -> Claim:
        """A claim by its reference, for a client that proved its order (status level)."""
        normalized = normalize_reference(reference)
        claim = self.claims.get(normalized) if normalized else None
        if claim is None:
            raise NotOrderOwner("no such claim among this conversation's orders")
        self.access.grant_for(client, claim.order_number, Level.STATUS)
        return claim


def order_value(order: Order) -> Decimal:
    """What the order's goods cost, in its currency."""
    return sum((item.unit_price * item.quantity for item in order.items), Decimal("0"))


def parcel_value(order: Order, tracking_number: str | None) -> Decimal:
    """What one parcel's goods cost (the whole order's when it lists no items, or for None)."""
    shipment = next((s for s in order.shipments if s.tracking_number == tracking_number), None)
    if shipment is None or not shipment.items:
        return order_value(order)
    prices = {item.sku: item.unit_price for item in order.items}
    return sum(
        (prices.get(part.sku, Decimal("0")) * part.quantity for part in shipment.items),
        Decimal("0"),
    )


def _offer_of(remedy: Remedy) -> Offer:
    return Offer.RESHIP if remedy is Remedy.RESHIP else Offer.REFUND
