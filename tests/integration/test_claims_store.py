"""Claims, check-backs and order changes in the real order store: SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select

from bot.adapters.db.claims import SqlCheckBackStore, SqlClaimStore
from bot.adapters.db.models import Base, CheckBackRow, ClaimRow, OrderChangeRow
from bot.adapters.db.repository import SqlOrderRepository
from bot.domain.claims import (
    CheckBack,
    CheckBackKind,
    Claim,
    ClaimState,
    ClaimType,
    Conversation,
    OrderChangeKind,
    ReferenceTaken,
    Remedy,
)
from bot.domain.errors import StoreUnavailable
from bot.domain.orders import Address, OrderStatus
from bot.services.access import keyed_digest
from bot.services.ports import CheckBackRepository, ClaimRepository, OrderRepository
from tests.unit.builders import NOW, FakeCheckBacks, FakeClaims, FakeOrders, order

# The fakes the unit tests use must satisfy the same ports (checked by mypy).
FAKES: tuple[ClaimRepository, CheckBackRepository, OrderRepository] = (
    FakeClaims(),
    FakeCheckBacks(),
    FakeOrders(),
)

PARCEL = "1Z999AA10123456784"
PHONE = "+14155550134"
CONVERSATION = Conversation("whatsapp", keyed_digest(b"secret")(f"whatsapp:{PHONE}"))
NEW_ADDRESS = Address("1 Market St", "San Francisco", "94105", "US", line2="Apt 4", region="CA")


@pytest.fixture
def engine(store_engine: Engine) -> Engine:
    return store_engine


@pytest.fixture
def orders(engine: Engine) -> Iterator[SqlOrderRepository]:
    repository = SqlOrderRepository.on(engine)
    repository.import_batch(
        [
            order(),
            order("WM-100001", placed_at=NOW - timedelta(days=9)),
            order("WM-200002", email="sam@example.com"),
        ],
        [],
    )
    yield repository
    repository.dispose()


@pytest.fixture
def claims(engine: Engine, orders: SqlOrderRepository) -> SqlClaimStore:
    return SqlClaimStore.on(engine)


@pytest.fixture
def backs(engine: Engine, orders: SqlOrderRepository) -> SqlCheckBackStore:
    return SqlCheckBackStore.on(engine)


def claim(reference: str = "CL-7F3K9Q", **changes: Any) -> Claim:
    base = Claim(
        reference=reference,
        order_number="WM-104233",
        tracking_number=PARCEL,
        type=ClaimType.LOST,
        state=ClaimState.OPEN,
        remedy=Remedy.NONE_YET,
        amount=None,
        currency=None,
        opened_at=NOW,
        follow_up_on=date(2026, 11, 25),
        updated_at=NOW,
    )
    return replace(base, **changes)


def check_back(**changes: Any) -> CheckBack:
    base = CheckBack(
        order_number="WM-104233",
        kind=CheckBackKind.DELIVERY_WINDOW_END,
        due_at=NOW + timedelta(days=1),
        conversation=CONVERSATION,
        created_at=NOW,
    )
    return replace(base, **changes)


def rows(engine: Engine, model: type[Base]) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(model.__table__))]


def count(engine: Engine, model: type[Base]) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


# Claims


def test_a_claim_round_trips_with_its_exact_amount_and_aware_times(claims: SqlClaimStore) -> None:
    paid = claim(remedy=Remedy.REFUND_ITEM, amount=Decimal("189.00"), currency="USD")
    whole = claim(
        "CL-2ABCDE", tracking_number=None, type=ClaimType.NOT_RECEIVED, opened_at=NOW + timedelta(1)
    )
    assert claims.add(paid) == paid
    assert claims.add(whole) == whole
    found = claims.get("CL-7F3K9Q")
    assert found == paid and found is not None
    assert isinstance(found.amount, Decimal) and found.opened_at.utcoffset() is not None
    assert claims.get("CL-2ABCDE") == whole  # no parcel reads back as None, not ''
    assert claims.for_order("WM-104233") == [paid, whole]
    assert claims.for_order("WM-200002") == [] and claims.get("CL-XXXXXX") is None


def test_asking_twice_for_the_same_claim_gives_the_first_one(
    engine: Engine, claims: SqlClaimStore
) -> None:
    first = claims.add(claim())
    assert claims.add(claim("CL-3BBBBB", opened_at=NOW + timedelta(hours=1))) == first
    claims.update(first.reference, ClaimState.WITH_CARRIER, Remedy.NONE_YET, NOW)
    assert claims.add(claim("CL-4CCCCC")).reference == first.reference  # still being handled
    assert count(engine, ClaimRow) == 1
    # Another parcel, the whole order, another type: other claims.
    assert claims.add(claim("CL-5DDDDD", tracking_number="794644790132")).reference == "CL-5DDDDD"
    assert claims.add(claim("CL-6EEEEE", tracking_number=None)).reference == "CL-6EEEEE"
    assert claims.add(claim("CL-7FFFFF", tracking_number=None)).reference == "CL-6EEEEE"
    assert claims.add(claim("CL-8GGGGG", type=ClaimType.DAMAGED)).reference == "CL-8GGGGG"
    # Once closed, the same trouble may be claimed again.
    claims.update(first.reference, ClaimState.CLOSED, Remedy.RESHIP, NOW)
    assert claims.add(claim("CL-9HHHHH")).reference == "CL-9HHHHH"


def test_a_claim_added_while_another_transaction_adds_it_is_not_duplicated(
    engine: Engine, claims: SqlClaimStore
) -> None:
    """The other transaction holds its uncommitted claim; ours waits, then returns that one."""
    theirs = claim("CL-THEM22")
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(insert(ClaimRow).values(**_row_values(theirs)))
    got: list[Claim | BaseException] = []

    def ours() -> None:
        try:
            got.append(claims.add(claim("CL-MY3333")))
        except BaseException as exc:  # reported by the assertion below
            got.append(exc)

    thread = threading.Thread(target=ours)
    thread.start()
    time.sleep(0.5)
    waited = thread.is_alive()
    transaction.commit()
    connection.close()
    thread.join(timeout=20)
    assert waited, "the second add did not wait for the first transaction"
    assert got == [theirs]
    assert count(engine, ClaimRow) == 1


def _row_values(c: Claim) -> dict[str, Any]:
    values = {name: getattr(c, name) for name in Claim.__dataclass_fields__}
    return values | {"tracking_number": c.tracking_number or ""}


def test_a_claim_reference_is_never_given_twice(engine: Engine, claims: SqlClaimStore) -> None:
    claims.add(claim())
    with pytest.raises(ReferenceTaken):
        claims.add(claim(order_number="WM-200002"))
    assert count(engine, ClaimRow) == 1


def test_a_claim_on_an_unknown_order_is_refused_as_a_store_error(claims: SqlClaimStore) -> None:
    with pytest.raises(StoreUnavailable):
        claims.add(claim(order_number="WM-999999"))


def test_a_customer_s_claims_are_counted_since_a_time_across_their_orders(
    claims: SqlClaimStore,
) -> None:
    claims.add(claim("CL-2AAAAA", opened_at=NOW - timedelta(days=10)))
    claims.add(claim("CL-3AAAAA", order_number="WM-100001", opened_at=NOW - timedelta(days=1)))
    claims.add(claim("CL-4AAAAA", type=ClaimType.DAMAGED, opened_at=NOW))
    claims.add(claim("CL-5AAAAA", order_number="WM-200002", opened_at=NOW))
    assert claims.count_for_customer(" Jane.DOE@example.com", NOW - timedelta(days=2)) == 2
    assert claims.count_for_customer("jane.doe@example.com", NOW - timedelta(days=30)) == 3
    assert claims.count_for_customer("jane.doe@example.com", NOW - timedelta(days=1)) == 2
    assert claims.count_for_customer("jane.doe@example.com", NOW.astimezone(UTC)) == 1
    assert claims.count_for_customer("sam@example.com", NOW - timedelta(days=30)) == 1
    assert claims.count_for_customer("nobody@example.com", NOW - timedelta(days=30)) == 0


def test_updating_a_claim_sets_its_state_remedy_and_amount_only(claims: SqlClaimStore) -> None:
    claims.add(claim())
    other = claims.add(claim("CL-SECND2", type=ClaimType.DAMAGED))
    later = NOW + timedelta(days=2)
    updated = claims.update(
        "CL-7F3K9Q", ClaimState.REMEDY_SENT, Remedy.REFUND_ORDER, later, Decimal("189.00"), "USD"
    )
    assert updated == claims.get("CL-7F3K9Q")
    assert updated == claim(
        state=ClaimState.REMEDY_SENT,
        remedy=Remedy.REFUND_ORDER,
        amount=Decimal("189.00"),
        currency="USD",
        updated_at=later,
    )
    assert claims.get("CL-SECND2") == other
    assert claims.update("CL-XXXXXX", ClaimState.CLOSED, Remedy.RESHIP, later) is None


# Check-backs


def test_a_check_back_is_scheduled_once_per_order_kind_and_due_time(
    engine: Engine, backs: SqlCheckBackStore
) -> None:
    first = backs.schedule(check_back())
    assert first.id is not None and replace(first, id=None) == check_back()
    # The same promise made again (its due time in another offset) is the same check-back.
    again = check_back(due_at=first.due_at.astimezone(UTC), created_at=NOW + timedelta(hours=1))
    assert backs.schedule(again) == first
    other = backs.schedule(check_back(kind=CheckBackKind.BACKORDER_DUE))
    assert other.id != first.id
    assert count(engine, CheckBackRow) == 2


def test_a_check_back_is_due_at_its_time_and_not_a_minute_before(
    backs: SqlCheckBackStore,
) -> None:
    due = NOW + timedelta(days=1)
    later = backs.schedule(check_back(due_at=due + timedelta(hours=1)))
    first = backs.schedule(check_back(kind=CheckBackKind.BACKORDER_DUE, due_at=due))
    assert backs.due(due - timedelta(minutes=1), limit=10) == []
    assert backs.due(due, limit=10) == [first]
    assert backs.due(due + timedelta(hours=1, minutes=1), limit=10) == [first, later]
    assert backs.due(due + timedelta(hours=1, minutes=1), limit=1) == [first]


def test_a_check_back_is_marked_sent_once_and_is_not_due_again(backs: SqlCheckBackStore) -> None:
    kept = backs.schedule(check_back())
    assert kept.id is not None
    assert backs.mark_sent(kept.id, kept.due_at) is True
    assert backs.mark_sent(kept.id, kept.due_at + timedelta(seconds=1)) is False
    assert backs.due(kept.due_at + timedelta(days=1), limit=10) == []


def test_two_notifiers_racing_mark_a_check_back_sent_exactly_once(
    backs: SqlCheckBackStore,
) -> None:
    for n in range(5):
        kept = backs.schedule(check_back(due_at=NOW + timedelta(days=n)))
        assert kept.id is not None
        start = threading.Barrier(4)
        won: list[bool] = []

        def notify(
            check_back_id: int = kept.id, start: threading.Barrier = start, won: list[bool] = won
        ) -> None:
            start.wait()
            won.append(backs.mark_sent(check_back_id, NOW))

        threads = [threading.Thread(target=notify) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        assert sorted(won) == [False, False, False, True]


def test_a_failed_attempt_is_counted_and_retried_no_sooner_than_asked(
    backs: SqlCheckBackStore,
) -> None:
    kept = backs.schedule(check_back())
    assert kept.id is not None
    backs.record_failure(kept.id, kept.due_at, retry_at=kept.due_at + timedelta(minutes=10))
    assert backs.due(kept.due_at + timedelta(minutes=9), limit=10) == []
    [retried] = backs.due(kept.due_at + timedelta(minutes=10), limit=10)
    assert retried.attempts == 1 and retried.retry_at == kept.due_at + timedelta(minutes=10)


def test_check_backs_and_order_changes_keep_no_email_or_phone_in_clear(
    engine: Engine, orders: SqlOrderRepository, backs: SqlCheckBackStore
) -> None:
    backs.schedule(check_back())
    orders.cancel("WM-104233", NOW, CONVERSATION)
    stored = " ".join(
        str(value)
        for model in (CheckBackRow, OrderChangeRow)
        for row in rows(engine, model)
        for value in row
    )
    assert "@" not in stored and "4155550134" not in stored
    with pytest.raises(ValueError, match="digest"):
        Conversation("whatsapp", PHONE)
    with pytest.raises(ValueError, match="digest"):
        Conversation("email", "jane.doe@example.com")


# Order changes


def test_cancel_writes_the_order_and_its_audit_and_leaves_other_orders_untouched(
    engine: Engine, orders: SqlOrderRepository
) -> None:
    before = {n: orders.get_by_number(n) for n in ("WM-100001", "WM-200002")}
    cancelled = orders.cancel("wm-104233 ", NOW, CONVERSATION)
    assert cancelled == replace(order(), status=OrderStatus.CANCELLED)
    assert orders.get_by_number("WM-104233") == cancelled
    assert {n: orders.get_by_number(n) for n in before} == before
    [audit] = rows(engine, OrderChangeRow)
    assert audit[1:] == (
        "WM-104233",
        OrderChangeKind.CANCEL.value,
        audit[3],
        "whatsapp",
        CONVERSATION.digest,
    )
    assert orders.cancel("WM-999999", NOW, CONVERSATION) is None
    assert count(engine, OrderChangeRow) == 1


def test_change_address_writes_only_the_address_of_that_order(
    engine: Engine, orders: SqlOrderRepository
) -> None:
    before = {n: orders.get_by_number(n) for n in ("WM-100001", "WM-200002")}
    changed = orders.change_address("WM-104233", NEW_ADDRESS, NOW, CONVERSATION)
    assert changed == replace(order(), shipping_address=NEW_ADDRESS)
    assert orders.get_by_number("WM-104233") == changed
    assert {n: orders.get_by_number(n) for n in before} == before
    with engine.connect() as connection:
        kinds = connection.execute(select(OrderChangeRow.kind)).scalars().all()
    assert kinds == [OrderChangeKind.ADDRESS]
    assert orders.change_address("WM-999999", NEW_ADDRESS, NOW, CONVERSATION) is None


def test_a_change_that_fails_midway_leaves_the_order_and_audit_as_they_were(
    engine: Engine, orders: SqlOrderRepository
) -> None:
    """The order's UPDATE runs before the audit row is written; a naive time fails that row."""
    naive = NOW.replace(tzinfo=None)
    with pytest.raises(StoreUnavailable):
        orders.cancel("WM-104233", naive, CONVERSATION)
    with pytest.raises(StoreUnavailable):
        orders.change_address("WM-104233", NEW_ADDRESS, naive, CONVERSATION)
    assert orders.get_by_number("WM-104233") == order()
    assert count(engine, OrderChangeRow) == 0


def test_the_teams_queue_is_every_claim_not_closed_soonest_follow_up_first(
    claims: SqlClaimStore,
) -> None:
    claims.add(claim("CL-AAAAAA", follow_up_on=date(2026, 11, 27)))
    claims.add(claim("CL-BBBBBB", order_number="WM-100001", follow_up_on=date(2026, 11, 23)))
    claims.add(claim("CL-CCCCCC", order_number="WM-200002", follow_up_on=date(2026, 11, 21)))
    claims.update("CL-CCCCCC", ClaimState.CLOSED, Remedy.RESHIP, NOW)
    assert [c.reference for c in claims.active(10)] == ["CL-BBBBBB", "CL-AAAAAA"]
    assert [c.reference for c in claims.active(1)] == ["CL-BBBBBB"]
