"""The notifier's state in the order store: a `NoticeRepository` and a `SubscriptionRepository`.

"Exactly once" rests on the database, not on a process's memory: a notice is inserted
with ON CONFLICT (key) DO NOTHING, so the same change learnt twice is one row; and it is
claimed by an UPDATE ... WHERE state IN (pending, deferred) that only one caller can win.
Every SQLAlchemy error leaves this module as `StoreUnavailable`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.adapters.db.claims import _check_back_of
from bot.adapters.db.models import (
    CheckBackRow,
    NoticeRow,
    OptOutRow,
    SubscriptionRow,
    TrackingStateRow,
)
from bot.adapters.db.store import SqlStore
from bot.domain.claims import CheckBack
from bot.domain.notices import Notice, NoticeState, StatusChange, Subscription

_INSERTS: dict[str, Callable[..., Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}
_OPEN = (NoticeState.PENDING, NoticeState.DEFERRED)
ERROR_CHARS = 200


class SqlNoticeStore(SqlStore):
    """A `NoticeRepository` on SQLAlchemy."""

    failing = "the notice store failed"

    def add(self, notice: Notice) -> bool:
        """Keep a new notice; False when one with its key is already kept."""
        with self._transaction() as session:
            insert = _INSERTS[session.get_bind().dialect.name](NoticeRow)
            result = session.execute(
                insert.values(_notice_values(notice)).on_conflict_do_nothing(index_elements=["key"])
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def get(self, notice_id: int) -> Notice | None:
        """The notice with this id, or None."""
        with self._transaction() as session:
            row = session.get(NoticeRow, notice_id)
            return None if row is None else _notice_of(row)

    def by_key(self, key: str) -> Notice | None:
        """The notice with this key, or None."""
        with self._transaction() as session:
            row = session.scalars(select(NoticeRow).where(NoticeRow.key == key)).first()
            return None if row is None else _notice_of(row)

    def due(self, now: datetime, limit: int) -> list[Notice]:
        """Open notices not yet handed to Rasa whose time has come, oldest first."""
        query = (
            select(NoticeRow)
            .where(
                NoticeRow.state.in_(_OPEN),
                NoticeRow.triggered_at.is_(None),
                NoticeRow.next_attempt_at <= now,
            )
            .order_by(NoticeRow.next_attempt_at, NoticeRow.id)
            .limit(limit)
        )
        with self._transaction() as session:
            return [_notice_of(row) for row in session.scalars(query)]

    def claim(self, notice_id: int, now: datetime) -> bool:
        """Mark an open notice sent; True only for the one call that did it."""
        with self._transaction() as session:
            result = session.execute(
                update(NoticeRow)
                .where(NoticeRow.id == notice_id, NoticeRow.state.in_(_OPEN))
                .values(state=NoticeState.SENT, sent_at=now)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def mark_triggered(self, notice_id: int, now: datetime) -> None:
        """Note that Rasa accepted the trigger (the action's claim decides the state)."""
        self._update(notice_id, triggered_at=now)

    def defer(self, notice_id: int, until: datetime) -> None:
        """Hold an open notice until `until`."""
        self._update(notice_id, state=NoticeState.DEFERRED, next_attempt_at=until)

    def record_failure(
        self, notice_id: int, attempts: int, retry_at: datetime | None, error: str
    ) -> None:
        """Count a failed send: retry at `retry_at`, or mark the notice failed when None."""
        values: dict[str, Any] = {"attempts": attempts, "last_error": error[:ERROR_CHARS]}
        if retry_at is None:
            values["state"] = NoticeState.FAILED
        else:
            values["next_attempt_at"] = retry_at
        self._update(notice_id, **values)

    def _update(self, notice_id: int, **values: Any) -> None:
        with self._transaction() as session:
            session.execute(
                update(NoticeRow)
                .where(NoticeRow.id == notice_id, NoticeRow.state.in_(_OPEN))
                .values(**values)
            )

    def check_backs_to_queue(self, now: datetime, limit: int) -> list[CheckBack]:
        """Unsent check-backs due by `now` that no notice delivers yet, oldest first."""
        queued = select(NoticeRow.id).where(NoticeRow.check_back_id == CheckBackRow.id)
        query = (
            select(CheckBackRow)
            .where(CheckBackRow.sent_at.is_(None), CheckBackRow.due_at <= now, ~queued.exists())
            .order_by(CheckBackRow.due_at, CheckBackRow.id)
            .limit(limit)
        )
        with self._transaction() as session:
            return [_check_back_of(row) for row in session.scalars(query)]

    def last_change(self, tracking_number: str) -> tuple[str, datetime] | None:
        """The key of the last change seen for a parcel, and when it was last looked at."""
        query = select(TrackingStateRow).where(TrackingStateRow.tracking_number == tracking_number)
        with self._transaction() as session:
            row = session.scalars(query).first()
            return None if row is None else (row.change_key, row.seen_at)

    def see(self, change: StatusChange, now: datetime, via: str) -> None:
        """Remember a parcel's state as seen now."""
        values = {"change_key": change.key[:200], "seen_at": now, "via": via}
        with self._transaction() as session:
            insert = _INSERTS[session.get_bind().dialect.name](TrackingStateRow)
            row = insert.values(tracking_number=change.tracking_number, **values)
            session.execute(
                row.on_conflict_do_update(index_elements=["tracking_number"], set_=values)
            )


class SqlSubscriptionStore(SqlStore):
    """A `SubscriptionRepository` on SQLAlchemy."""

    failing = "the subscription store failed"

    def subscribe(self, subscription: Subscription) -> Subscription:
        """Keep a consent; one already kept (even stopped) is started again at the new time."""
        s = subscription
        values = {"consented_at": s.consented_at, "stopped_at": None}
        with self._transaction() as session:
            insert = _INSERTS[session.get_bind().dialect.name](SubscriptionRow)
            session.execute(
                insert.values(
                    order_number=s.order_number, channel=s.channel, recipient=s.recipient, **values
                ).on_conflict_do_update(
                    index_elements=["order_number", "channel", "recipient"], set_=values
                )
            )
            row = session.scalars(
                select(SubscriptionRow).where(
                    SubscriptionRow.order_number == s.order_number,
                    SubscriptionRow.channel == s.channel,
                    SubscriptionRow.recipient == s.recipient,
                )
            ).one()
            return _subscription_of(row)

    def stop(self, channel: str, recipient: str, order_number: str | None, now: datetime) -> int:
        """Stop one order's updates to a recipient, or all of them."""
        query = update(SubscriptionRow).where(
            SubscriptionRow.channel == channel,
            SubscriptionRow.recipient == recipient,
            SubscriptionRow.stopped_at.is_(None),
        )
        if order_number is not None:
            query = query.where(SubscriptionRow.order_number == order_number)
        with self._transaction() as session:
            result = session.execute(query.values(stopped_at=now))
            return int(result.rowcount)  # type: ignore[attr-defined]

    def active_for_order(self, order_number: str) -> list[Subscription]:
        """The order's subscriptions not stopped."""
        return self._active(SubscriptionRow.order_number == order_number)

    def of_recipient(self, channel: str, recipient: str) -> list[Subscription]:
        """A recipient's subscriptions not stopped, oldest first."""
        return self._active(
            SubscriptionRow.channel == channel, SubscriptionRow.recipient == recipient
        )

    def _active(self, *conditions: Any) -> list[Subscription]:
        query = (
            select(SubscriptionRow)
            .where(SubscriptionRow.stopped_at.is_(None), *conditions)
            .order_by(SubscriptionRow.consented_at, SubscriptionRow.id)
        )
        with self._transaction() as session:
            return [_subscription_of(row) for row in session.scalars(query)]

    def subscribed_orders(self, limit: int, after: str | None = None) -> list[str]:
        """Numbers of the orders someone wants updates on, in order, after `after`."""
        query = (
            select(SubscriptionRow.order_number)
            .where(SubscriptionRow.stopped_at.is_(None))
            .where(SubscriptionRow.order_number > after if after is not None else true())
            .distinct()
            .order_by(SubscriptionRow.order_number)
            .limit(limit)
        )
        with self._transaction() as session:
            return list(session.scalars(query))

    def opt_out(self, channel: str, recipient: str, now: datetime) -> None:
        """Note that a recipient said STOP (the first time counts)."""
        with self._transaction() as session:
            insert = _INSERTS[session.get_bind().dialect.name](OptOutRow)
            session.execute(
                insert.values(
                    channel=channel, recipient=recipient, opted_out_at=now
                ).on_conflict_do_nothing(index_elements=["channel", "recipient"])
            )

    def opt_in(self, channel: str, recipient: str) -> None:
        """Forget a recipient's STOP."""
        with self._transaction() as session:
            for row in session.scalars(
                select(OptOutRow).where(
                    OptOutRow.channel == channel, OptOutRow.recipient == recipient
                )
            ):
                session.delete(row)

    def opted_out(self, channel: str, recipient: str) -> bool:
        """Whether a recipient said STOP and not START since."""
        query = select(OptOutRow.id).where(
            OptOutRow.channel == channel, OptOutRow.recipient == recipient
        )
        with self._transaction() as session:
            return session.scalars(query).first() is not None


def _notice_values(notice: Notice) -> dict[str, Any]:
    return {
        "key": notice.key,
        "kind": notice.kind,
        "order_number": notice.order_number,
        "tracking_number": notice.tracking_number,
        "check_back_id": notice.check_back_id,
        "channel": notice.channel,
        "recipient": notice.recipient,
        "facts": dict(notice.facts),
        "state": notice.state,
        "attempts": notice.attempts,
        "next_attempt_at": notice.next_attempt_at,
        "created_at": notice.created_at,
        "triggered_at": notice.triggered_at,
        "sent_at": notice.sent_at,
        "last_error": notice.last_error,
    }


def _notice_of(row: NoticeRow) -> Notice:
    return Notice(
        id=row.id,
        key=row.key,
        kind=row.kind,
        order_number=row.order_number,
        tracking_number=row.tracking_number,
        check_back_id=row.check_back_id,
        channel=row.channel,
        recipient=row.recipient,
        facts=dict(row.facts),
        state=row.state,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        triggered_at=row.triggered_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )


def _subscription_of(row: SubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        order_number=row.order_number,
        channel=row.channel,
        recipient=row.recipient,
        consented_at=row.consented_at,
        stopped_at=row.stopped_at,
    )
