"""Hand-off tickets in the order store: a `TicketRepository`.

One ticket stands per conversation while it is open or taken: the row's `active_key`
(channel and conversation, NULL once closed) is unique, and a ticket is inserted with
ON CONFLICT DO NOTHING, so two hand-offs racing make one ticket. Every SQLAlchemy error
leaves this module as `StoreUnavailable`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.adapters.db.models import TicketRow
from bot.adapters.db.store import SqlStore
from bot.domain.tickets import Contact, Ticket, TicketOutcome, TicketState

_INSERTS: dict[str, Callable[..., Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def _active_key(channel: str, conversation: str) -> str:
    return f"{channel}:{conversation}"


class SqlTicketStore(SqlStore):
    """A `TicketRepository` on SQLAlchemy."""

    failing = "the ticket store failed"

    def open(self, ticket: Ticket) -> Ticket:
        """Keep a new ticket, unless its conversation has one standing: that one, then."""
        key = _active_key(ticket.channel, ticket.conversation)
        with self._transaction() as session:
            insert = _INSERTS[session.get_bind().dialect.name](TicketRow)
            session.execute(
                insert.values({**_values(ticket), "active_key": key}).on_conflict_do_nothing(
                    index_elements=["active_key"]
                )
            )
            row = session.scalars(select(TicketRow).where(TicketRow.active_key == key)).one()
            return _ticket_of(row)

    def active_for(self, channel: str, conversation: str) -> Ticket | None:
        """The conversation's open or taken ticket, if it has one."""
        key = _active_key(channel, conversation)
        with self._transaction() as session:
            row = session.scalars(select(TicketRow).where(TicketRow.active_key == key)).first()
            return None if row is None else _ticket_of(row)

    def ahead_of(self, ticket: Ticket) -> int:
        """How many open tickets were queued before this one."""
        earlier = or_(
            TicketRow.created_at < ticket.created_at,
            (TicketRow.created_at == ticket.created_at) & (TicketRow.id < (ticket.id or 0)),
        )
        query = select(func.count(TicketRow.id)).where(TicketRow.state == TicketState.OPEN, earlier)
        with self._transaction() as session:
            return int(session.scalar(query) or 0)

    def queue(self, limit: int) -> list[Ticket]:
        """The open tickets, oldest first."""
        query = (
            select(TicketRow)
            .where(TicketRow.state == TicketState.OPEN)
            .order_by(TicketRow.created_at, TicketRow.id)
            .limit(limit)
        )
        with self._transaction() as session:
            return [_ticket_of(row) for row in session.scalars(query)]

    def by_reference(self, reference: str) -> Ticket | None:
        """The ticket with this reference, in any state."""
        with self._transaction() as session:
            row = session.scalars(select(TicketRow).where(TicketRow.reference == reference)).first()
            return None if row is None else _ticket_of(row)

    def taken_by(self, agent: str, limit: int) -> list[Ticket]:
        """The tickets this person has taken and not yet closed, oldest first."""
        query = (
            select(TicketRow)
            .where(TicketRow.state == TicketState.TAKEN, TicketRow.agent == agent)
            .order_by(TicketRow.taken_at, TicketRow.id)
            .limit(limit)
        )
        with self._transaction() as session:
            return [_ticket_of(row) for row in session.scalars(query)]

    def take(self, reference: str, now: datetime, agent: str) -> bool:
        """A person takes an open ticket; True only for the one call that did it."""
        return self._move(
            reference, TicketState.OPEN, state=TicketState.TAKEN, taken_at=now, agent=agent
        )

    def close(
        self, reference: str, now: datetime, outcome: TicketOutcome = TicketOutcome.CLOSED
    ) -> bool:
        """Close a standing ticket; its conversation may then get a new one."""
        return self._move(
            reference,
            None,
            state=TicketState.CLOSED,
            closed_at=now,
            active_key=None,
            outcome=outcome,
        )

    def mark_overdue(self, reference: str, now: datetime) -> bool:
        """Note that the shopper was told nobody took the ticket in time; True only once."""
        query = update(TicketRow).where(
            TicketRow.reference == reference,
            TicketRow.state == TicketState.OPEN,
            TicketRow.overdue_at.is_(None),
        )
        with self._transaction() as session:
            result = session.execute(query.values(overdue_at=now))
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def tally(self, since: datetime) -> dict[tuple[str, str], int]:
        """How many tickets opened since `since`, by state and trigger."""
        query = (
            select(TicketRow.state, TicketRow.trigger, func.count(TicketRow.id))
            .where(TicketRow.created_at >= since)
            .group_by(TicketRow.state, TicketRow.trigger)
        )
        with self._transaction() as session:
            return {
                (str(state), str(trigger)): int(n) for state, trigger, n in session.execute(query)
            }

    def release(self, reference: str) -> bool:
        """Put a taken ticket back in the queue (its taking could not be told)."""
        return self._move(
            reference, TicketState.TAKEN, state=TicketState.OPEN, taken_at=None, agent=None
        )

    def set_contact(self, reference: str, contact: Contact | None) -> bool:
        """Record how the shopper asked to be answered instead (None: here, as they wait);
        True if the ticket stands."""
        return self._move(reference, None, contact=contact)

    def untaken(self, opened_by: datetime, limit: int) -> list[Ticket]:
        """Open tickets opened by `opened_by` and never marked overdue, oldest first."""
        query = (
            select(TicketRow)
            .where(
                TicketRow.state == TicketState.OPEN,
                TicketRow.overdue_at.is_(None),
                TicketRow.created_at <= opened_by,
            )
            .order_by(TicketRow.created_at, TicketRow.id)
            .limit(limit)
        )
        with self._transaction() as session:
            return [_ticket_of(row) for row in session.scalars(query)]

    def _move(self, reference: str, only: TicketState | None, **values: Any) -> bool:
        query = update(TicketRow).where(
            TicketRow.reference == reference, TicketRow.state != TicketState.CLOSED
        )
        if only is not None:
            query = query.where(TicketRow.state == only)
        with self._transaction() as session:
            result = session.execute(query.values(**values))
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _values(ticket: Ticket) -> dict[str, Any]:
    return {
        "reference": ticket.reference,
        "state": ticket.state,
        "trigger": ticket.trigger,
        "channel": ticket.channel,
        "conversation": ticket.conversation,
        "verified": ticket.verified,
        "how": ticket.how,
        "order_number": ticket.order_number,
        "packet": dict(ticket.packet),
        "created_at": ticket.created_at,
        "taken_at": ticket.taken_at,
        "closed_at": ticket.closed_at,
        "agent": ticket.agent,
        "outcome": ticket.outcome,
        "contact": ticket.contact,
        "overdue_at": ticket.overdue_at,
    }


def _ticket_of(row: TicketRow) -> Ticket:
    return Ticket(
        id=row.id,
        reference=row.reference,
        state=row.state,
        trigger=row.trigger,
        channel=row.channel,
        conversation=row.conversation,
        verified=row.verified,
        how=row.how,
        order_number=row.order_number,
        packet=dict(row.packet),
        created_at=row.created_at,
        taken_at=row.taken_at,
        closed_at=row.closed_at,
        agent=row.agent,
        outcome=row.outcome,
        contact=row.contact,
        overdue_at=row.overdue_at,
    )
