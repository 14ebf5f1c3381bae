"""Handing a conversation to a person: the ticket, its packet, and the truth about the wait.

The ticket is stored before the shopper is told anything, once per conversation while
one stands (asking twice queues nobody twice). Its packet is what a person needs to
take over without asking again: whether and how the shopper was verified (the level of
proof, never the proof), the order's parcels as last seen and the policy's reading of
them, and the last lines the bot said, masked. What the shopper is told comes from the
team's hours and the real queue: a place and a wait, or when the team is back.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.access import Client, Level
from bot.domain.errors import NotOrderOwner, StoreUnavailable
from bot.domain.helpdesk import HANDOFF_CREATED, Delivery
from bot.domain.orders import Order
from bot.domain.shipments import carrier_name
from bot.domain.tickets import (
    BusinessHours,
    Contact,
    Ticket,
    TicketState,
    Trigger,
    last_lines,
    new_reference,
    wait_minutes,
)
from bot.services.access import Access
from bot.services.ports import HelpdeskOutbox, TicketRepository
from bot.services.wismo import OrderReport, Wismo

log = logging.getLogger(__name__)

CHANNEL_PHONE = "channel_phone"  # the channel verified the shopper's phone
ORDER_PROOF = "order_proof"  # the packet's note of how the conversation proved the order
PROOFS_OF_ORDER = frozenset(level.name.lower() for level in Level if level >= Level.STATUS)


@dataclass(frozen=True)
class HandoffResult:
    """The ticket and what the shopper may truthfully be told about it."""

    ticket: Ticket
    place: int  # 1: next in the queue; 0: a person already has it
    open_now: bool
    wait_minutes: int | None  # while the team is at work
    opens_at: datetime | None  # when it is not: its next opening, in the team's zone


class Reach(enum.StrEnum):
    """Where the team can answer a shopper instead, as they may be told it (never the
    number or the address itself)."""

    THIS_PHONE = "this_phone"  # the phone the channel verified (SMS, WhatsApp)
    ORDER_PHONE = "order_phone"
    ORDER_EMAIL = "order_email"


@dataclass(frozen=True)
class ContactResult:
    """What came of a shopper's choice of how to be answered instead of waiting here."""

    ticket: Ticket | None  # None: no ticket of theirs waits in the queue any more
    wanted: Contact | None  # None: they keep waiting here
    reach: Reach | None  # where the team will answer; None when it knows nowhere


@dataclass
class Handoff:
    """Opens tickets for people on the team, over the ticket store, access and reports."""

    tickets: TicketRepository
    access: Access
    wismo: Wismo
    hours: BusinessHours
    redact: Callable[[str], str]  # masks emails, phones and street lines
    minutes_per_ticket: float = 10.0
    reference: Callable[[], str] = field(default=new_reference)
    # Where a person reads the conversation, by ticket reference (served by the console).
    transcript: Callable[[str], str] = field(default=lambda ref: f"/console/tickets/{ref}")
    # The store's own helpdesk (HELPDESK_WEBHOOK_URL): each new ticket is queued for it.
    outbox: HelpdeskOutbox | None = None

    def hand_off(
        self,
        client: Client,
        trigger: Trigger,
        order_number: str | None,
        lines_told: list[str],
        now: datetime,
    ) -> HandoffResult:
        """Open the conversation's ticket (or find the one standing); where it is queued."""
        ticket = self.tickets.active_for(client.channel, client.conversation)
        if ticket is None:
            new = self._ticket(client, trigger, order_number, lines_told, now)
            ticket = self.tickets.open(new)
            if ticket.reference == new.reference:  # not a ticket a racing hand-off opened
                self._queue(ticket, now)
        open_now = self.hours.is_open(now)
        if ticket.state is not TicketState.OPEN:
            return HandoffResult(ticket, 0, open_now, None, None)
        ahead = self.tickets.ahead_of(ticket)
        if open_now:
            return HandoffResult(
                ticket, ahead + 1, True, wait_minutes(ahead, self.minutes_per_ticket), None
            )
        return HandoffResult(ticket, ahead + 1, False, None, self.hours.next_opening(now))

    def _queue(self, ticket: Ticket, now: datetime) -> None:
        """Queue the new ticket for the store's helpdesk, if it has one."""
        if self.outbox is None:
            return
        try:
            self.outbox.queue(Delivery(ticket.reference, HANDOFF_CREATED, now, now))
        except StoreUnavailable:  # the ticket is kept: the shopper is still told their place
            log.exception("ticket %s not queued for the helpdesk webhook", ticket.reference)

    def _ticket(
        self,
        client: Client,
        trigger: Trigger,
        order_number: str | None,
        lines_told: list[str],
        now: datetime,
    ) -> Ticket:
        grants = self.access.grants(client)
        levels = sorted((g.level for g in grants.values()), reverse=True)
        how = [levels[0].name.lower()] if levels else []
        if client.phone:
            how.append(CHANNEL_PHONE)
        report = self._report(client, order_number) if order_number else None
        reference = self.reference()
        packet: dict[str, Any] = {
            "told": last_lines(lines_told, self.redact),
            "transcript": self.transcript(reference),
        }
        if report is not None:
            packet.update(order_facts(report), **{ORDER_PROOF: report.level.name.lower()})
        return Ticket(
            reference=reference,
            trigger=trigger,
            channel=client.channel,
            conversation=client.conversation,
            verified=bool(levels),
            how="+".join(how) or "none",
            order_number=report.order.order_number if report else None,
            packet=packet,
            created_at=now,
        )

    def ask_contact(self, client: Client, wanted: Contact | None) -> ContactResult:
        """Record how a shopper nobody took wants to be answered (None: here), when the
        team can reach them that way; the result's ticket is None when none waits."""
        ticket = self.tickets.active_for(client.channel, client.conversation)
        if ticket is None or ticket.state is not TicketState.OPEN:
            return ContactResult(None, wanted, None)
        reach = self._reach(client, ticket, wanted) if wanted is not None else None
        if wanted is not None and reach is None:
            return ContactResult(ticket, wanted, None)
        if not self.tickets.set_contact(ticket.reference, wanted):
            return ContactResult(None, wanted, None)  # taken or closed meanwhile
        return ContactResult(ticket, wanted, reach)

    def _reach(self, client: Client, ticket: Ticket, wanted: Contact) -> Reach | None:
        """Where the team can answer: the phone the channel verified, else the order's
        phone or email when this conversation proved the order."""
        if wanted is Contact.CALLBACK and client.phone:
            return Reach.THIS_PHONE
        order = self._proved_order(client, ticket)
        if order is None:
            return None
        if wanted is Contact.EMAIL:
            return Reach.ORDER_EMAIL if order.customer.email else None
        return Reach.ORDER_PHONE if order.customer.phone else None

    def _proved_order(self, client: Client, ticket: Ticket) -> Order | None:
        """The ticket's order if this conversation proved it (to the status level) when the
        ticket was filed, or holds a grant on it now: a grant goes idle while one waits."""
        number = ticket.order_number
        if number is None:
            return None
        grant = self.access.grants(client).get(number)
        proved = ticket.packet.get(ORDER_PROOF) in PROOFS_OF_ORDER
        if not (proved or (grant is not None and grant.allows(Level.STATUS))):
            return None
        return self.access.orders.get_by_number(number)

    def _report(self, client: Client, order_number: str) -> OrderReport | None:
        """The order as the shopper may see it; None when they proved nothing of it."""
        try:
            return self.wismo.report(client, order_number)
        except NotOrderOwner:
            return None


def order_facts(report: OrderReport) -> dict[str, Any]:
    """Words-ready facts of an order for the team: each parcel's latest status, carrier,
    estimate and the policy's reading; never an address, an email or a phone."""
    parcels = []
    for parcel in report.shipments:
        facts = {
            "tracking_number": parcel.shipment.tracking_number,
            "carrier": carrier_name(parcel.shipment.carrier),
            "verdict": parcel.verdict.situation.value,
        }
        tracking = parcel.tracking
        if tracking is not None:
            facts["status"] = tracking.status.value
            if tracking.detail:
                facts["detail"] = str(tracking.detail)
            if tracking.estimated_delivery:
                facts["estimate"] = tracking.estimated_delivery.isoformat()
        if parcel.stale_since is not None:
            facts["stale_since"] = parcel.stale_since.isoformat()
        parcels.append(facts)
    facts_of_order: dict[str, Any] = {
        "order_status": report.order.status.value,
        "shipments": parcels,
    }
    if report.pending is not None:
        facts_of_order["unshipped_verdict"] = report.pending.situation.value
    return facts_of_order
