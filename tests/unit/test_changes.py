"""Cancel, change the address, claim: the policy decides, the store keeps only what it allowed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from bot.domain.access import Level
from bot.domain.claims import ClaimState, ClaimType, Conversation, Remedy
from bot.domain.clock import Clock
from bot.domain.errors import NotOrderOwner
from bot.domain.orders import Address, Item, OrderStatus
from bot.services.access import keyed_digest
from bot.services.changes import Changes, RemedyNotOffered
from tests.unit.builders import (
    CLIENT,
    NOW,
    FakeCheckBacks,
    FakeClaims,
    FakeOrders,
    grant,
    make_access,
    order,
    tracking,
)

BY = Conversation("rest", keyed_digest(b"k")("rest:shopper-1"))
NEW = Address("1 Market St", "San Francisco", "94105", "US", region="CA")
UNSHIPPED = order("WM-104300", status=OrderStatus.PROCESSING, shipments=())
SHIPPED = order()  # its UPS parcel shipped three days ago


def make(level: Level = Level.CHANGE, *orders: object) -> Changes:
    store = FakeOrders([UNSHIPPED, SHIPPED, *orders])  # type: ignore[list-item]
    access = make_access(store)
    for each in store.orders:
        grant(access, each.order_number, level)
    return Changes(store, FakeClaims(store), FakeCheckBacks(), access, clock=Clock(NOW))


def test_an_order_that_has_not_shipped_is_cancelled_in_the_store() -> None:
    changes = make()
    outcome = changes.cancel_order(CLIENT, "WM-104300", BY, [])
    assert outcome.decision.allowed
    assert changes.orders.get_by_number("WM-104300").status is OrderStatus.CANCELLED  # type: ignore[union-attr]


def test_a_cancellation_refused_after_shipping_leaves_the_order_unchanged() -> None:
    changes = make()
    outcome = changes.cancel_order(CLIENT, "WM-104233", BY, [tracking()])
    assert not outcome.decision.allowed and outcome.decision.parcels
    assert outcome.decision.alternatives  # refuse delivery, return, redirect ...
    assert changes.orders.get_by_number("WM-104233").status is OrderStatus.FULFILLED  # type: ignore[union-attr]


def test_changes_need_the_change_level_of_proof() -> None:
    changes = make(Level.STATUS)
    with pytest.raises(NotOrderOwner):
        changes.cancel_order(CLIENT, "WM-104300", BY, [])
    with pytest.raises(NotOrderOwner):
        changes.change_address(CLIENT, "WM-104300", NEW, BY, [])
    assert changes.orders.get_by_number("WM-104300").status is OrderStatus.PROCESSING  # type: ignore[union-attr]


def test_an_address_is_changed_only_before_the_parcel_ships() -> None:
    changes = make()
    assert changes.change_address(CLIENT, "WM-104300", NEW, BY, []).decision.allowed
    assert changes.orders.get_by_number("WM-104300").shipping_address == NEW  # type: ignore[union-attr]
    refused = changes.change_address(CLIENT, "WM-104233", NEW, BY, [tracking()])
    assert not refused.decision.allowed
    assert changes.orders.get_by_number("WM-104233").shipping_address != NEW  # type: ignore[union-attr]


def delivered_hours_ago(hours: float) -> tuple[Changes, object]:
    changes = make()
    return changes, NOW - timedelta(hours=hours)


def test_a_missing_parcel_claim_is_filed_once_with_a_follow_up() -> None:
    changes, delivered = delivered_hours_ago(40)
    offer = changes.claim_offer(CLIENT, "WM-104233", ClaimType.NOT_RECEIVED, delivered)  # type: ignore[arg-type]
    assert offer.allowed and offer.remedies
    first = changes.open_claim(
        CLIENT,
        "WM-104233",
        ClaimType.NOT_RECEIVED,
        Remedy.RESHIP,
        BY,
        tracking_number="1Z999AA10123456784",
        delivered_at=delivered,  # type: ignore[arg-type]
    )
    again = changes.open_claim(
        CLIENT,
        "WM-104233",
        ClaimType.NOT_RECEIVED,
        Remedy.RESHIP,
        BY,
        tracking_number="1Z999AA10123456784",
        delivered_at=delivered,  # type: ignore[arg-type]
    )
    assert again.reference == first.reference and first.reference.startswith("CL-")
    assert len(changes.claims.claims) == 1  # type: ignore[attr-defined]
    (follow_up,) = changes.check_backs.kept  # type: ignore[attr-defined]
    assert follow_up.claim_reference == first.reference and follow_up.due_at > NOW


def test_no_claim_before_the_wait_window_after_the_delivered_scan() -> None:
    changes, delivered = delivered_hours_ago(20)
    assert not changes.claim_offer(CLIENT, "WM-104233", ClaimType.NOT_RECEIVED, delivered).allowed  # type: ignore[arg-type]
    with pytest.raises(RemedyNotOffered):
        changes.open_claim(
            CLIENT,
            "WM-104233",
            ClaimType.NOT_RECEIVED,
            Remedy.RESHIP,
            BY,
            delivered_at=delivered,  # type: ignore[arg-type]
        )
    assert changes.claims.claims == []  # type: ignore[attr-defined]


def test_a_valuable_claim_goes_to_a_person() -> None:
    pricey = order(
        "WM-104400", items=(Item("TENT-4P", "Four-person tent", 1, Decimal("480.00"), "USD"),)
    )
    changes = make(Level.CHANGE, pricey)
    claim = changes.open_claim(
        CLIENT,
        "WM-104400",
        ClaimType.NOT_RECEIVED,
        Remedy.REFUND_ORDER,
        BY,
        delivered_at=NOW - timedelta(hours=40),
    )
    assert (
        claim.state is ClaimState.NEEDS_PERSON and claim.amount and claim.amount >= Decimal("480")
    )


def test_a_claim_is_found_by_its_reference_only_by_whoever_proved_the_order() -> None:
    changes, delivered = delivered_hours_ago(40)
    claim = changes.open_claim(
        CLIENT,
        "WM-104233",
        ClaimType.NOT_RECEIVED,
        Remedy.RESHIP,
        BY,
        delivered_at=delivered,  # type: ignore[arg-type]
    )
    assert changes.find_claim(CLIENT, claim.reference.lower()) == claim
    stranger = replace(CLIENT, subject="another-session")
    with pytest.raises(NotOrderOwner):
        changes.find_claim(stranger, claim.reference)
    with pytest.raises(NotOrderOwner):
        changes.find_claim(CLIENT, "CL-ZZZZZZ")
