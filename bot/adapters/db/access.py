"""The access service's state in the order store: grants, failed checks, one-time codes.

Every identifier arrives as a digest (`bot.services.access`), so nothing here
holds a sender id, an email or a code in clear. Old failures and codes are
pruned as new ones are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from bot.adapters.db.models import FailureRow, GrantRow, OneTimeCodeRow
from bot.adapters.db.store import SqlStore
from bot.domain.access import Grant, Level
from bot.services.ports import StoredCode

# Rows older than this are of no use to any window and are deleted as new ones come.
KEEP_FOR = timedelta(days=1)


class SqlAccessStore(SqlStore):
    """An `AccessStore` on SQLAlchemy."""

    failing = "the access store failed"

    def live_grants(self, binding: str, conversation: str, since: datetime) -> list[Grant]:
        """Grants of this client and conversation used since `since`."""
        query = select(GrantRow).where(
            GrantRow.binding == binding,
            GrantRow.conversation == conversation,
            GrantRow.last_used > since,
        )
        with self._transaction() as session:
            return [
                Grant(row.order_number, Level(row.level), row.tracking_number, row.last_used)
                for row in session.scalars(query)
            ]

    def add_grants(self, binding: str, conversation: str, grants: Sequence[Grant]) -> None:
        """Keep new grants (each with its `last_used` time)."""
        with self._transaction() as session:
            session.add_all(
                GrantRow(
                    binding=binding,
                    conversation=conversation,
                    order_number=g.order_number,
                    level=int(g.level),
                    tracking_number=g.tracking_number,
                    last_used=g.last_used,
                )
                for g in grants
            )

    def touch_grants(self, binding: str, conversation: str, now: datetime) -> None:
        """Mark this client's grants in this conversation as used now."""
        with self._transaction() as session:
            session.execute(
                update(GrantRow)
                .where(GrantRow.binding == binding, GrantRow.conversation == conversation)
                .values(last_used=now)
            )

    def failure_counts(self, keys: Sequence[str], since: datetime) -> dict[str, int]:
        """How many failures each key has had since `since`."""
        query = (
            select(FailureRow.key, func.count())
            .where(FailureRow.key.in_(list(keys)), FailureRow.at > since)
            .group_by(FailureRow.key)
        )
        with self._transaction() as session:
            return {key: int(count) for key, count in session.execute(query)}

    def add_failures(self, keys: Sequence[str], now: datetime) -> None:
        """Count one failure against each key; forget failures no window needs."""
        with self._transaction() as session:
            session.execute(delete(FailureRow).where(FailureRow.at < now - KEEP_FOR))
            session.add_all(FailureRow(key=key, at=now) for key in keys)

    def codes_sent(self, order_number: str, since: datetime) -> int:
        """How many one-time codes were made for an order since `since`."""
        query = select(func.count()).where(
            OneTimeCodeRow.order_number == order_number, OneTimeCodeRow.created_at > since
        )
        with self._transaction() as session:
            return int(session.scalar(query) or 0)

    def add_code(self, code: StoredCode) -> None:
        """Keep a new one-time code; forget long-expired ones."""
        with self._transaction() as session:
            session.execute(
                delete(OneTimeCodeRow).where(OneTimeCodeRow.expires_at < code.created_at - KEEP_FOR)
            )
            session.add(
                OneTimeCodeRow(
                    binding=code.binding,
                    conversation=code.conversation,
                    order_number=code.order_number,
                    digest=code.digest,
                    created_at=code.created_at,
                    expires_at=code.expires_at,
                )
            )

    def live_code(
        self, binding: str, conversation: str, order_number: str, now: datetime
    ) -> StoredCode | None:
        """The newest unspent, unexpired code of this client for an order."""
        query = (
            select(OneTimeCodeRow)
            .where(
                OneTimeCodeRow.binding == binding,
                OneTimeCodeRow.conversation == conversation,
                OneTimeCodeRow.order_number == order_number,
                OneTimeCodeRow.used_at.is_(None),
                OneTimeCodeRow.expires_at > now,
            )
            .order_by(OneTimeCodeRow.created_at.desc(), OneTimeCodeRow.id.desc())
            .limit(1)
        )
        with self._transaction() as session:
            row = session.scalars(query).first()
            if row is None:
                return None
            return StoredCode(
                row.binding,
                row.conversation,
                row.order_number,
                row.digest,
                row.created_at,
                row.expires_at,
                row.id,
            )

    def spend_code(self, code: StoredCode, now: datetime) -> bool:
        """Mark a code used; False when it was already used (it works once)."""
        with self._transaction() as session:
            result = session.execute(
                update(OneTimeCodeRow)
                .where(OneTimeCodeRow.id == code.id, OneTimeCodeRow.used_at.is_(None))
                .values(used_at=now)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]
