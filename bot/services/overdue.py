"""Hand-offs nobody took in time: the shopper is told so, once, and offered another way.

A ticket is overdue when `take_minutes` of the team's working time have passed since it
was opened and it is still open: a ticket opened at night is due that long after the team
is back. The notifier's sweep queues one `HANDOFF_OVERDUE` notice per ticket in the
ledger (keyed by the ticket: exactly once, retried like any notice), then marks the
ticket overdue. A notice whose ticket was taken or closed before it went out is dropped:
when the notifier looks, and again when the action says it.

Quiet hours: a shopper who asked for a person a short while ago (within twice the time
allowed) is waiting for an answer, so the notice goes at once; one who asked hours ago
(at night, before a weekend) hears it outside their quiet hours like any other message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.notices import Notice, NoticeKind, notice_key
from bot.domain.tickets import BusinessHours, Ticket, TicketState
from bot.services.ports import NoticeRepository, TicketRepository

BATCH = 100  # tickets looked at per sweep
ASKED_AT = "asked_at"  # the notice's fact: when the shopper asked for a person
REFERENCE = "reference"


@dataclass
class OverdueTickets:
    """The notifier's sweep over the queue, and what it needs to know when sending."""

    tickets: TicketRepository
    notices: NoticeRepository
    hours: BusinessHours
    take_minutes: float = 15.0

    def queue(self, now: datetime) -> int:
        """Queue the "nobody took it yet" notice for each ticket overdue by `now`; how many."""
        made = 0
        allowed = timedelta(minutes=self.take_minutes)
        for ticket in self.tickets.untaken(now - allowed, BATCH):
            due = self.hours.after_working(ticket.created_at, self.take_minutes)
            if due is None or due > now:
                break  # a ticket opened later is due no sooner
            made += int(self.notices.add(overdue_notice(ticket, now)))
            # After the notice: a crash in between adds the same key again, i.e. nothing.
            self.tickets.mark_overdue(ticket.reference, now)
        return made

    def waiting(self, notice: Notice) -> bool:
        """Whether the ticket a hand-off notice is about is still open (nobody took it)."""
        return ticket_waiting(self.tickets, notice)

    def prompt(self, notice: Notice, now: datetime) -> bool:
        """Whether the shopper asked recently enough to be answered in their quiet hours."""
        asked = datetime.fromisoformat(notice.facts.get(ASKED_AT, now.isoformat()))
        return now - asked <= 2 * timedelta(minutes=self.take_minutes)


def ticket_waiting(tickets: TicketRepository, notice: Notice) -> bool:
    """Whether the ticket a hand-off notice is about is still open (nobody took it)."""
    ticket = tickets.by_reference(notice.facts.get(REFERENCE, ""))
    return ticket is not None and ticket.state is TicketState.OPEN


def overdue_notice(ticket: Ticket, now: datetime) -> Notice:
    """The ledger's notice telling a ticket's conversation that nobody took it yet."""
    kind = NoticeKind.HANDOFF_OVERDUE
    return Notice(
        key=notice_key(kind, ticket.reference, ticket.channel, ticket.conversation),
        kind=kind,
        order_number=ticket.order_number,
        tracking_number=None,
        channel=ticket.channel,
        recipient=ticket.conversation,
        facts={REFERENCE: ticket.reference, ASKED_AT: ticket.created_at.isoformat()},
        created_at=now,
        next_attempt_at=now,
    )
