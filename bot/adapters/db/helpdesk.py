"""The ledger of webhooks to the store's helpdesk: a `HelpdeskDeliveries` in the order store.

A delivery is inserted with ON CONFLICT (reference, event) DO NOTHING, so a ticket is
queued once however often it is asked. It is claimed by an UPDATE that only matches the
row as it was read (pending, due, the same attempts): one caller wins, counts the attempt
and leases the row. Every SQLAlchemy error leaves this module as `StoreUnavailable`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.adapters.db.models import HelpdeskDeliveryRow
from bot.adapters.db.store import SqlStore
from bot.domain.helpdesk import ERROR_CHARS, Delivery, DeliveryState

_INSERTS: dict[str, Callable[..., Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}
_PENDING = DeliveryState.PENDING


class SqlHelpdeskDeliveries(SqlStore):
    """A `HelpdeskDeliveries` (and `HelpdeskOutbox`) on SQLAlchemy."""

    failing = "the helpdesk delivery ledger failed"

    def queue(self, delivery: Delivery) -> bool:
        """Keep a new delivery; False when its ticket and event are already kept."""
        values = {
            "reference": delivery.reference,
            "event": delivery.event,
            "state": delivery.state,
            "attempts": delivery.attempts,
            "next_at": delivery.next_at,
            "created_at": delivery.created_at,
        }
        with self._transaction() as session:
            insert = _INSERTS[session.get_bind().dialect.name](HelpdeskDeliveryRow)
            result = session.execute(
                insert.values(values).on_conflict_do_nothing(index_elements=["reference", "event"])
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def due(self, now: datetime, limit: int) -> list[Delivery]:
        """Pending deliveries whose time has come, oldest first."""
        query = (
            select(HelpdeskDeliveryRow)
            .where(HelpdeskDeliveryRow.state == _PENDING, HelpdeskDeliveryRow.next_at <= now)
            .order_by(HelpdeskDeliveryRow.next_at, HelpdeskDeliveryRow.id)
            .limit(limit)
        )
        with self._transaction() as session:
            return [_delivery_of(row) for row in session.scalars(query)]

    def claim(self, delivery: Delivery, now: datetime, lease_until: datetime) -> bool:
        """Take a due delivery for one attempt; True only for the one caller that took it."""
        query = update(HelpdeskDeliveryRow).where(
            HelpdeskDeliveryRow.id == delivery.id,
            HelpdeskDeliveryRow.state == _PENDING,
            HelpdeskDeliveryRow.attempts == delivery.attempts,
            HelpdeskDeliveryRow.next_at <= now,
        )
        values = {"attempts": delivery.attempts + 1, "next_at": lease_until}
        with self._transaction() as session:
            result = session.execute(query.values(values))
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def mark_sent(self, delivery_id: int, now: datetime) -> None:
        """The receiver took it: final."""
        self._update(delivery_id, state=DeliveryState.SENT, sent_at=now)

    def record_failure(self, delivery_id: int, retry_at: datetime | None, error: str) -> None:
        """An attempt failed: try again at `retry_at`, or mark the delivery failed when None."""
        values: dict[str, Any] = {"last_error": error[:ERROR_CHARS]}
        if retry_at is None:
            values["state"] = DeliveryState.FAILED
        else:
            values["next_at"] = retry_at
        self._update(delivery_id, **values)

    def of_ticket(self, reference: str) -> list[Delivery]:
        """Every delivery of one ticket (for the team and the tests)."""
        query = select(HelpdeskDeliveryRow).where(HelpdeskDeliveryRow.reference == reference)
        with self._transaction() as session:
            return [_delivery_of(row) for row in session.scalars(query.order_by("id"))]

    def _update(self, delivery_id: int, **values: Any) -> None:
        query = update(HelpdeskDeliveryRow).where(
            HelpdeskDeliveryRow.id == delivery_id, HelpdeskDeliveryRow.state == _PENDING
        )
        with self._transaction() as session:
            session.execute(query.values(**values))


def _delivery_of(row: HelpdeskDeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        reference=row.reference,
        event=row.event,
        state=row.state,
        attempts=row.attempts,
        next_at=row.next_at,
        created_at=row.created_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )
