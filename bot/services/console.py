"""The agent console's use cases: the queue, taking a conversation, answering, giving back.

Taking is decided by the ticket store (one call wins; the other hears who has it). The
shopper is told before anything else: when the assistant cannot say that a person
joined, the ticket goes back to the queue and the person hears why. While a person has
the conversation the assistant is paused and the person's words reach the shopper's
channel; handing back resumes it and it greets the shopper again with what it knows.
Only the person who took a ticket answers, hands it back or closes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.domain.accounts import Account
from bot.domain.clock import Clock
from bot.domain.errors import WismoError
from bot.domain.tickets import (
    ConsoleEvent,
    Line,
    Ticket,
    TicketOutcome,
    TicketState,
)
from bot.services.ports import ConversationControl, TicketRepository

QUEUE_SHOWN = 200
MAX_REPLY_CHARS = 1600  # what one SMS conversation turn carries in a few parts


class TicketUnavailable(WismoError):
    """The ticket cannot be worked so: unknown, closed, or someone else's (`agent`)."""

    def __init__(self, reason: str, agent: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.agent = agent


@dataclass
class Console:
    """The queue and the conversations people on the team take over."""

    tickets: TicketRepository
    control: ConversationControl
    clock: Clock
    redact: Callable[[str], str]

    def queue(self) -> list[Ticket]:
        """The open tickets, oldest first."""
        return self.tickets.queue(QUEUE_SHOWN)

    def mine(self, agent: Account) -> list[Ticket]:
        """The conversations this person has, oldest first."""
        return self.tickets.taken_by(agent.username, QUEUE_SHOWN)

    def ticket(self, reference: str) -> Ticket:
        """The ticket with this reference; TicketUnavailable('unknown') when none."""
        ticket = self.tickets.by_reference(reference)
        if ticket is None:
            raise TicketUnavailable("unknown")
        return ticket

    def take(self, reference: str, agent: Account) -> Ticket:
        """Take an open ticket: the shopper hears a person joined and the bot steps aside.
        Taking one's own ticket again (a double click) keeps it and tells nobody twice."""
        ticket = self.ticket(reference)
        if not self.tickets.take(reference, self.clock.now(), agent.username):
            current = self.ticket(reference)
            if current.state is TicketState.TAKEN and current.agent == agent.username:
                return current
            raise TicketUnavailable(current.state.value, current.agent)
        taken = self.ticket(reference)
        try:
            self.control.announce(taken, ConsoleEvent.JOINED, agent.name)
        except WismoError:
            self.tickets.release(ticket.reference)
            raise
        return taken

    def reply(self, reference: str, agent: Account, text: str) -> None:
        """A person's words to the shopper, on the shopper's channel."""
        words = text.strip()
        if not words:
            raise TicketUnavailable("empty")
        if len(words) > MAX_REPLY_CHARS:
            raise TicketUnavailable("too_long")
        self.control.say(self._mine(reference, agent), agent, words)

    def hand_back(self, reference: str, agent: Account) -> Ticket:
        """Give the conversation back to the assistant, which greets the shopper again."""
        return self._end(reference, agent, ConsoleEvent.BACK, TicketOutcome.HANDED_BACK)

    def close(self, reference: str, agent: Account) -> Ticket:
        """The person resolved it: the shopper is told, and the assistant answers again."""
        return self._end(reference, agent, ConsoleEvent.CLOSED, TicketOutcome.CLOSED)

    def tally(self, days: int) -> dict[tuple[str, str], int]:
        """Tickets of the last `days` days, by state and trigger (for leads)."""
        return self.tickets.tally(self.clock.now() - timedelta(days=days))

    def transcript(self, ticket: Ticket) -> list[Line]:
        """The conversation's lines, emails, phones and street lines masked."""
        return [
            Line(line.speaker, self.redact(line.text), line.at, line.agent_name)
            for line in self.control.transcript(ticket)
        ]

    def _end(
        self, reference: str, agent: Account, event: ConsoleEvent, outcome: TicketOutcome
    ) -> Ticket:
        ticket = self._mine(reference, agent)
        self.control.resume(ticket)
        self.control.announce(ticket, event, agent.name)
        self.tickets.close(reference, self.clock.now(), outcome)
        return self.ticket(reference)

    def _mine(self, reference: str, agent: Account) -> Ticket:
        ticket = self.ticket(reference)
        if ticket.state is not TicketState.TAKEN or ticket.agent != agent.username:
            raise TicketUnavailable(ticket.state.value, ticket.agent)
        return ticket
