"""Claims and check-backs in the order store: a `ClaimRepository` and a `CheckBackRepository`.

Both promises hold under concurrent callers because the database keeps them, not a
read-then-write: a partial unique index allows one active claim per order, parcel and
type (an insert that would be a second does nothing, and the existing claim is read
back); a unique constraint allows one check-back per order, kind and due time; and a
check-back is marked sent by an UPDATE ... WHERE sent_at IS NULL that only one caller
can win. Every SQLAlchemy error leaves this module as `StoreUnavailable`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.adapters.db.models import ACTIVE_CLAIM, CheckBackRow, ClaimRow, CustomerRow, OrderRow
from bot.adapters.db.store import SqlStore
from bot.domain.claims import CheckBack, Claim, ClaimState, Conversation, ReferenceTaken, Remedy
from bot.domain.errors import StoreUnavailable

_INSERTS: dict[str, Callable[..., Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


class SqlClaimStore(SqlStore):
    """A `ClaimRepository` on SQLAlchemy."""

    failing = "the claims store failed"

    def add(self, claim: Claim) -> Claim:
        """Keep a new claim, or return the active one for the same order, parcel and type."""
        parcel = claim.tracking_number or ""
        try:
            with self._transaction() as session:
                insert = _INSERTS[session.get_bind().dialect.name](ClaimRow)
                session.execute(
                    insert.values(_claim_values(claim)).on_conflict_do_nothing(
                        index_elements=["order_number", "tracking_number", "type"],
                        index_where=text(ACTIVE_CLAIM),
                    )
                )
                # Ours, or the one a concurrent caller committed first (READ COMMITTED sees it).
                row = session.scalars(
                    select(ClaimRow).where(
                        ClaimRow.order_number == claim.order_number,
                        ClaimRow.tracking_number == parcel,
                        ClaimRow.type == claim.type,
                        ClaimRow.state != ClaimState.CLOSED,
                    )
                ).one()
                return _claim_of(row)
        except StoreUnavailable as exc:
            if isinstance(exc.__cause__, IntegrityError) and self.get(claim.reference):
                raise ReferenceTaken(claim.reference) from None
            raise

    def get(self, reference: str) -> Claim | None:
        """The claim with this reference, or None."""
        with self._transaction() as session:
            row = session.scalars(select(ClaimRow).where(ClaimRow.reference == reference)).first()
            return None if row is None else _claim_of(row)

    def for_order(self, order_number: str) -> list[Claim]:
        """An order's claims, oldest first."""
        query = (
            select(ClaimRow)
            .where(ClaimRow.order_number == order_number)
            .order_by(ClaimRow.opened_at, ClaimRow.id)
        )
        with self._transaction() as session:
            return [_claim_of(row) for row in session.scalars(query)]

    def active(self, limit: int) -> list[Claim]:
        """Claims not closed, the soonest follow-up first (then the oldest)."""
        query = (
            select(ClaimRow)
            .where(ClaimRow.state != ClaimState.CLOSED)
            .order_by(ClaimRow.follow_up_on, ClaimRow.opened_at, ClaimRow.id)
            .limit(limit)
        )
        with self._transaction() as session:
            return [_claim_of(row) for row in session.scalars(query)]

    def count_for_customer(self, email: str, since: datetime) -> int:
        """Claims opened since `since` on the orders of the customer with this email."""
        query = (
            select(func.count())
            .select_from(ClaimRow)
            .join(OrderRow, OrderRow.order_number == ClaimRow.order_number)
            .join(CustomerRow, CustomerRow.id == OrderRow.customer_id)
            .where(CustomerRow.email == email.strip().lower(), ClaimRow.opened_at >= since)
        )
        with self._transaction() as session:
            return int(session.scalar(query) or 0)

    def update(
        self,
        reference: str,
        state: ClaimState,
        remedy: Remedy,
        now: datetime,
        amount: Decimal | None = None,
        currency: str | None = None,
    ) -> Claim | None:
        """Set a claim's state, remedy and amount; None when there is no such claim."""
        if (amount is None) != (currency is None):
            raise ValueError("a claim's amount and currency go together")
        with self._transaction() as session:
            row = session.scalars(
                select(ClaimRow).where(ClaimRow.reference == reference).with_for_update()
            ).first()
            if row is None:
                return None
            row.state, row.remedy, row.updated_at = state, remedy, now
            row.amount, row.currency = amount, currency
            session.flush()
            return _claim_of(row)


class SqlCheckBackStore(SqlStore):
    """A `CheckBackRepository` on SQLAlchemy."""

    failing = "the check-back store failed"

    def schedule(self, check_back: CheckBack) -> CheckBack:
        """Keep a check-back, or return the one kept for the same order, kind and due time."""
        with self._transaction() as session:
            insert = _INSERTS[session.get_bind().dialect.name](CheckBackRow)
            session.execute(
                insert.values(_check_back_values(check_back)).on_conflict_do_nothing(
                    index_elements=["order_number", "kind", "due_at"]
                )
            )
            row = session.scalars(
                select(CheckBackRow).where(
                    CheckBackRow.order_number == check_back.order_number,
                    CheckBackRow.kind == check_back.kind,
                    CheckBackRow.due_at == check_back.due_at,
                )
            ).one()
            return _check_back_of(row)

    def due(self, now: datetime, limit: int) -> list[CheckBack]:
        """Unsent check-backs due by `now` and not waiting for a retry, oldest first."""
        query = (
            select(CheckBackRow)
            .where(
                CheckBackRow.sent_at.is_(None),
                CheckBackRow.due_at <= now,
                or_(CheckBackRow.retry_at.is_(None), CheckBackRow.retry_at <= now),
            )
            .order_by(CheckBackRow.due_at, CheckBackRow.id)
            .limit(limit)
        )
        with self._transaction() as session:
            return [_check_back_of(row) for row in session.scalars(query)]

    def mark_sent(self, check_back_id: int, now: datetime) -> bool:
        """Mark a check-back sent; True only for the one call that did it."""
        with self._transaction() as session:
            result = session.execute(
                update(CheckBackRow)
                .where(CheckBackRow.id == check_back_id, CheckBackRow.sent_at.is_(None))
                .values(sent_at=now)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def record_failure(self, check_back_id: int, now: datetime, retry_at: datetime) -> None:
        """Count a failed attempt at sending; it is not due again before `retry_at`."""
        with self._transaction() as session:
            session.execute(
                update(CheckBackRow)
                .where(CheckBackRow.id == check_back_id, CheckBackRow.sent_at.is_(None))
                .values(attempts=CheckBackRow.attempts + 1, retry_at=retry_at)
            )


def _claim_values(claim: Claim) -> dict[str, Any]:
    return {
        "reference": claim.reference,
        "order_number": claim.order_number,
        "tracking_number": claim.tracking_number or "",
        "type": claim.type,
        "state": claim.state,
        "remedy": claim.remedy,
        "amount": claim.amount,
        "currency": claim.currency,
        "opened_at": claim.opened_at,
        "follow_up_on": claim.follow_up_on,
        "updated_at": claim.updated_at,
    }


def _claim_of(row: ClaimRow) -> Claim:
    return Claim(
        reference=row.reference,
        order_number=row.order_number,
        tracking_number=row.tracking_number or None,
        type=row.type,
        state=row.state,
        remedy=row.remedy,
        amount=row.amount,
        currency=row.currency,
        opened_at=row.opened_at,
        follow_up_on=row.follow_up_on,
        updated_at=row.updated_at,
    )


def _check_back_values(check_back: CheckBack) -> dict[str, Any]:
    return {
        "order_number": check_back.order_number,
        "claim_reference": check_back.claim_reference,
        "kind": check_back.kind,
        "due_at": check_back.due_at,
        "channel": check_back.conversation.channel,
        "conversation": check_back.conversation.digest,
        "created_at": check_back.created_at,
        "sent_at": check_back.sent_at,
        "attempts": check_back.attempts,
        "retry_at": check_back.retry_at,
        "recipient": check_back.recipient,
    }


def _check_back_of(row: CheckBackRow) -> CheckBack:
    return CheckBack(
        id=row.id,
        order_number=row.order_number,
        claim_reference=row.claim_reference,
        kind=row.kind,
        due_at=row.due_at,
        conversation=Conversation(row.channel, row.conversation),
        created_at=row.created_at,
        sent_at=row.sent_at,
        attempts=row.attempts,
        retry_at=row.retry_at,
        recipient=row.recipient,
    )
