"""An in-memory TicketRepository, and a hand-off service over fakes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, time
from itertools import count
from zoneinfo import ZoneInfo

from bot.channels.redaction import redact
from bot.domain.tickets import BusinessHours, Shift, Ticket, TicketState
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
