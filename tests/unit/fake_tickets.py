"""An in-memory TicketRepository, and a hand-off service over fakes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from itertools import count
from zoneinfo import ZoneInfo

from bot.channels.redaction import redact
from bot.domain.tickets import (
    BusinessHours,
    Contact,
    Shift,
    Ticket,
    TicketOutcome,
    TicketState,
)
from bot.services.access import Access
from bot.services.handoff import Handoff
from bot.services.wismo import Wismo

NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS_9_TO_6 = tuple(Shift(day, time(9), time(18)) for day in range(5))
THANKSGIVING = date(2026, 11, 26)


def team_hours(*holidays: date) -> BusinessHours:
    """Mon-Fri 09:00-18:00 in New York, closed on `holidays`."""
    return BusinessHours(WEEKDAYS_9_TO_6, NEW_YORK, lambda day: day in holidays)


@dataclass
class FakeTickets:
    """An in-memory TicketRepository."""

    kept: list[Ticket] = field(default_factory=list)

    def open(self, ticket: Ticket) -> Ticket:
        standing = self.active_for(ticket.channel, ticket.conversation)
        if standing is not None:
            return standing
        self.kept.append(replace(ticket, id=len(self.kept) + 1))
        return self.kept[-1]

    def active_for(self, channel: str, conversation: str) -> Ticket | None:
        return next(
            (
                t
                for t in self.kept
                if t.active and (t.channel, t.conversation) == (channel, conversation)
            ),
            None,
        )

    def ahead_of(self, ticket: Ticket) -> int:
        return sum(
            1
            for t in self.kept
            if t.state is TicketState.OPEN
            and (t.created_at, t.id or 0) < (ticket.created_at, ticket.id or 0)
        )

    def queue(self, limit: int) -> list[Ticket]:
        return sorted(
            (t for t in self.kept if t.state is TicketState.OPEN),
            key=lambda t: (t.created_at, t.id or 0),
        )[:limit]

    def by_reference(self, reference: str) -> Ticket | None:
        return next((t for t in self.kept if t.reference == reference), None)

    def taken_by(self, agent: str, limit: int) -> list[Ticket]:
        mine = (t for t in self.kept if t.state is TicketState.TAKEN and t.agent == agent)
        return sorted(mine, key=lambda t: (t.taken_at or t.created_at, t.id or 0))[:limit]

    def take(self, reference: str, now: datetime, agent: str) -> bool:
        return self._move(
            reference, TicketState.OPEN, state=TicketState.TAKEN, taken_at=now, agent=agent
        )

    def close(
        self, reference: str, now: datetime, outcome: TicketOutcome = TicketOutcome.CLOSED
    ) -> bool:
        return self._move(reference, None, state=TicketState.CLOSED, closed_at=now, outcome=outcome)

    def mark_overdue(self, reference: str, now: datetime) -> bool:
        found = self.by_reference(reference)
        if found is None or found.state is not TicketState.OPEN or found.overdue_at:
            return False
        return self._move(reference, TicketState.OPEN, overdue_at=now)

    def set_contact(self, reference: str, contact: Contact | None) -> bool:
        return self._move(reference, None, contact=contact)

    def untaken(self, opened_by: datetime, limit: int) -> list[Ticket]:
        return [
            t
            for t in self.queue(len(self.kept))
            if t.overdue_at is None and t.order_number and t.created_at <= opened_by
        ][:limit]

    def release(self, reference: str) -> bool:
        return self._move(
            reference, TicketState.TAKEN, state=TicketState.OPEN, taken_at=None, agent=None
        )

    def tally(self, since: datetime) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for t in self.kept:
            if t.created_at >= since:
                key = (t.state.value, t.trigger.value)
                counts[key] = counts.get(key, 0) + 1
        return counts

    def _move(self, reference: str, only: TicketState | None, **changes: object) -> bool:
        for i, t in enumerate(self.kept):
            if t.reference == reference and t.state is not TicketState.CLOSED:
                if only is not None and t.state is not only:
                    return False
                self.kept[i] = replace(t, **changes)  # type: ignore[arg-type]
                return True
        return False


def make_handoff(
    access: Access,
    wismo: Wismo,
    tickets: FakeTickets | None = None,
    hours: BusinessHours | None = None,
) -> Handoff:
    """The hand-off service over fakes: references HD-000001, HD-000002 ..."""
    numbers = count(1)
    return Handoff(
        tickets or FakeTickets(),
        access,
        wismo,
        hours or team_hours(THANKSGIVING),
        redact,
        10,
        lambda: f"HD-{next(numbers):06d}",
    )
