"""Cancel, change the address, claim: the policy decides, the store keeps only what it allowed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from bot.domain.access import Level
from bot.domain.changes import Change, ChangeReason
from bot.domain.claims import CheckBackKind, ClaimState, ClaimType, Conversation, Remedy
from bot.domain.clock import Clock
from bot.domain.errors import NotOrderOwner
from bot.domain.orders import Address, Item, OrderStatus
from bot.services.access import keyed_digest
from bot.services.changes import Changes, RemedyNotOffered, parcel_value
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


def test_what_a_change_would_do_is_read_at_the_status_level_and_changes_nothing() -> None:
    changes = make(Level.STATUS)
    assert changes.preview(CLIENT, "WM-104300", Change.CANCEL, []).allowed
    shipped = changes.preview(CLIENT, "WM-104233", Change.ADDRESS, [tracking()])
    assert not shipped.allowed and shipped.reason is ChangeReason.SHIPPED
    assert changes.orders.get_by_number("WM-104300").status is OrderStatus.PROCESSING  # type: ignore[union-attr]
    assert changes.orders.changes == []  # type: ignore[attr-defined]


def test_a_claim_is_offered_at_the_status_level_but_filed_only_at_the_change_level() -> None:
    changes = make(Level.STATUS)
    delivered = NOW - timedelta(hours=40)
    assert changes.claim_offer(CLIENT, "WM-104233", ClaimType.NOT_RECEIVED, delivered).allowed
    with pytest.raises(NotOrderOwner):
        changes.open_claim(
            CLIENT, "WM-104233", ClaimType.NOT_RECEIVED, Remedy.RESHIP, BY, delivered_at=delivered
        )
    assert changes.claims.claims == []  # type: ignore[attr-defined]


def test_nothing_is_read_or_promised_without_a_grant() -> None:
    changes = make(Level.STATUS)
    stranger = replace(CLIENT, conversation="someone-else")
    with pytest.raises(NotOrderOwner):
        changes.preview(stranger, "WM-104300", Change.CANCEL, [])
    with pytest.raises(NotOrderOwner):
        changes.claims_of(stranger, "WM-104233")
    with pytest.raises(NotOrderOwner):
        changes.promise_check_back(
            stranger, "WM-104233", CheckBackKind.DELIVERY_WINDOW_END, NOW + timedelta(hours=5)
        )
    assert changes.check_backs.kept == []  # type: ignore[attr-defined]


def test_a_promised_check_back_is_stored_once_for_the_conversation_as_a_digest() -> None:
    changes = make(Level.STATUS)
    due = NOW + timedelta(hours=16)
    kind = CheckBackKind.DELIVERY_WINDOW_END
    first = changes.promise_check_back(CLIENT, "WM-104233", kind, due)
    again = changes.promise_check_back(CLIENT, "WM-104233", kind, due)
    assert first == again and len(changes.check_backs.kept) == 1  # type: ignore[attr-defined]
    assert first.due_at == due and first.conversation.channel == CLIENT.channel
    assert CLIENT.conversation not in first.conversation.digest


def test_a_claim_is_found_by_its_reference_as_typed_only_by_who_may_see_its_order() -> None:
    changes = make()
    claim = changes.open_claim(
        CLIENT,
        "WM-104233",
        ClaimType.NOT_RECEIVED,
        Remedy.RESHIP,
        BY,
        delivered_at=NOW - timedelta(hours=40),
    )
    typed = claim.reference.lower().replace("-", " ")
    assert changes.find_claim(CLIENT, typed) == claim
    assert changes.claims_of(CLIENT, "WM-104233") == [claim]
    with pytest.raises(NotOrderOwner):
        changes.find_claim(replace(CLIENT, conversation="someone-else"), claim.reference)
    with pytest.raises(NotOrderOwner):
        changes.find_claim(CLIENT, "CL-2222222")


def test_a_claim_on_one_parcel_is_worth_what_that_parcel_carries() -> None:
    stove = Item("STOVE", "Camp stove", 1, Decimal("40.00"), "USD")
    two = replace(SHIPPED, items=(*SHIPPED.items, stove))
    assert parcel_value(two, "1Z999AA10123456784") == Decimal("189.00")
    assert parcel_value(two, None) == Decimal("229.00")
