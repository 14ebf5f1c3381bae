"""Console accounts and sessions in the order store: an `AccountStore`.

A session row keeps the SHA-256 digest of the browser's token, never the token. Every
SQLAlchemy error leaves this module as `StoreUnavailable`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.adapters.db.models import AccountRow, ConsoleSessionRow
from bot.adapters.db.store import SqlStore
from bot.domain.accounts import Account, ConsoleSession
from bot.domain.errors import StoreUnavailable


class SqlAccountStore(SqlStore):
    """An `AccountStore` on SQLAlchemy."""

    failing = "the account store failed"

    def add(self, account: Account) -> bool:
        """Keep a new account; False when the username is taken."""
        try:
            with self._transaction() as session:
                session.add(
                    AccountRow(
                        username=account.username,
                        name=account.name,
                        role=account.role,
                        password_hash=account.password_hash,
                        created_at=account.created_at,
                        disabled=account.disabled,
                    )
                )
        except StoreUnavailable as exc:
            if isinstance(exc.__cause__, IntegrityError):
                return False
            raise
        return True

    def by_username(self, username: str) -> Account | None:
        """The account with this username."""
        with self._transaction() as session:
            row = session.scalars(select(AccountRow).where(AccountRow.username == username)).first()
            if row is None:
                return None
            return Account(
                id=row.id,
                username=row.username,
                name=row.name,
                role=row.role,
                password_hash=row.password_hash,
                created_at=row.created_at,
                disabled=row.disabled,
            )

    def set_password_hash(self, username: str, password_hash: str) -> None:
        """Replace an account's password hash."""
        with self._transaction() as session:
            session.execute(
                update(AccountRow)
                .where(AccountRow.username == username)
                .values(password_hash=password_hash)
            )

    def add_session(self, console_session: ConsoleSession) -> None:
        """Keep a new session."""
        with self._transaction() as session:
            session.add(
                ConsoleSessionRow(
                    digest=console_session.digest,
                    username=console_session.username,
                    csrf=console_session.csrf,
                    created_at=console_session.created_at,
                    last_seen_at=console_session.last_seen_at,
                    expires_at=console_session.expires_at,
                )
            )

    def session(self, digest: str) -> ConsoleSession | None:
        """The session whose token has this digest."""
        query = select(ConsoleSessionRow).where(ConsoleSessionRow.digest == digest)
        with self._transaction() as session:
            row = session.scalars(query).first()
            if row is None:
                return None
            return ConsoleSession(
                digest=row.digest,
                username=row.username,
                csrf=row.csrf,
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                expires_at=row.expires_at,
            )

    def touch_session(self, digest: str, now: datetime) -> None:
        """The session was used at `now`."""
        with self._transaction() as session:
            session.execute(
                update(ConsoleSessionRow)
                .where(ConsoleSessionRow.digest == digest)
                .values(last_seen_at=now)
            )

    def drop_session(self, digest: str) -> None:
        """End one session (log out)."""
        with self._transaction() as session:
            session.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.digest == digest))

    def drop_sessions_of(self, username: str) -> None:
        """End every session of an account."""
        with self._transaction() as session:
            session.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.username == username))
