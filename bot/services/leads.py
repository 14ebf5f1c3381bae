"""The leads' conversations: filtered lists, transcripts, reveals and exports.

Everything a lead reads is masked (bot/domain/leads.py `Masker`: patterns, and the names,
emails, phones and street lines of the conversation's orders), the sender id too, unless
the lead reveals that one conversation: every reveal is recorded first, with who and
when. A transcript puts beside the words what the assistant did: the actions it ran,
the responses it chose (the policy's reading shows in their names) and the hand-off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.domain.accounts import Account
from bot.domain.clock import Clock
from bot.domain.conversations import ConversationEvent
from bot.domain.leads import ConversationFilter, Listed, Masker, personal_values
from bot.domain.tickets import Ticket
from bot.services.ports import ConversationReader, OrderRepository, TicketRepository

EXPORT_LIMIT = 100_000
QUIET_ACTIONS = frozenset({"action_listen", "action_session_start"})
EXTERNAL = "EXTERNAL: "


@dataclass(frozen=True)
class Entry:
    """One line of a transcript: who (shopper, bot, agent, action, note) and what."""

    who: str
    text: str
    at: datetime
    detail: str | None = None  # the response or the intent behind the line


@dataclass(frozen=True)
class Transcript:
    """A conversation as a lead reads it."""

    listed: Listed
    label: str  # the sender id, masked unless revealed
    entries: list[Entry]
    ticket: Ticket | None
    revealed: bool
    reveals: list[tuple[str, datetime]] = field(default_factory=list)


@dataclass
class Leads:
    """What support leads read of the conversations."""

    reader: ConversationReader
    orders: OrderRepository
    tickets: TicketRepository
    redact: Callable[[str], str]
    clock: Clock

    def conversations(
        self, wanted: ConversationFilter, limit: int, offset: int = 0
    ) -> list[Listed]:
        """The conversations `wanted` selects, latest first, masked."""
        return [self._masked(c) for c in self.reader.find(wanted, limit, offset)]

    def transcript(self, key: int, revealer: Account | None = None) -> Transcript | None:
        """One conversation; with `revealer`, unmasked, and the reveal recorded first."""
        listed = self.reader.listed(key)
        if listed is None:
            return None
        if revealer is not None:
            self.reader.record(listed.conversation, revealer.username, self.clock.now())
        show = (lambda text: text) if revealer else self.masker(listed)
        entries = [
            e for e in (_entry(ev, show) for ev in self.reader.events(listed.conversation)) if e
        ]
        ticket = self.tickets.by_reference(listed.ticket) if listed.ticket else None
        return Transcript(
            listed=listed if revealer else self._masked(listed),
            label=show(listed.conversation),
            entries=entries,
            ticket=ticket,
            revealed=revealer is not None,
            reveals=self.reader.reveals(listed.conversation),
        )

    def export(self, wanted: ConversationFilter) -> Iterator[tuple[Listed, list[Entry]]]:
        """Each conversation `wanted` selects with its transcript, masked."""
        for listed in self.reader.find(wanted, EXPORT_LIMIT):
            show = self.masker(listed)
            events = self.reader.events(listed.conversation)
            yield self._masked(listed), [e for e in (_entry(ev, show) for ev in events) if e]

    def masker(self, listed: Listed) -> Masker:
        """The masking of one conversation: patterns and what its orders know of the shopper."""
        known: list[str] = []
        for number in listed.order_numbers:
            order = self.orders.get_by_number(number)
            if order is not None:
                customer, address = order.customer, order.shipping_address
                known += personal_values(
                    customer.name, customer.email, customer.phone, address.line1
                )
        return Masker(self.redact, tuple(known))

    def _masked(self, listed: Listed) -> Listed:
        show = self.masker(listed)
        return replace(
            listed,
            conversation=show(listed.conversation),
            nps_reason=show(listed.nps_reason) if listed.nps_reason else None,
        )


def _entry(event: ConversationEvent, show: Callable[[str], str]) -> Entry | None:
    """A transcript line of an event, or None for the bookkeeping no lead needs."""
    text = event.text or ""
    if event.kind == "user":
        if text.startswith(EXTERNAL):
            return Entry("note", f"triggered: {event.intent}", event.at)
        said = f"(tapped: {event.intent})" if text.startswith("/") else show(text)
        detail = f"{event.intent} {event.confidence:.2f}" if event.confidence else event.intent
        return Entry("shopper", said, event.at, detail)
    if event.kind == "bot":
        agent = event.details.get("agent_name") or event.details.get("agent")
        if agent:
            return Entry("agent", show(text), event.at, agent)
        return Entry("bot", show(text), event.at, event.action)
    if event.kind == "action" and event.action and event.action not in QUIET_ACTIONS:
        return Entry("action", event.action, event.at)
    if event.kind in {"pause", "resume", "session_started", "restart"}:
        return Entry("note", event.kind.replace("_", " "), event.at)
    return None
