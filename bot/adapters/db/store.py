"""What the small stores beside the orders share: one short transaction per call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db.engine import make_session_factory, store_error


class SqlStore:
    """A store whose calls each run in one transaction; SQLAlchemy errors leave as
    `StoreUnavailable`, saying which store failed."""

    failing = "the order store failed"

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @classmethod
    def on(cls, engine: Engine) -> Self:
        """The store on an engine's database."""
        return cls(make_session_factory(engine))

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on any error."""
        try:
            with self._sessions.begin() as session:
                yield session
        except SQLAlchemyError as exc:
            raise store_error(self.failing, exc) from exc
