"""Proactive updates: a shopper's consent (`Updates`, for actions) and the sender (`Notifier`).

The notifier learns of changes (a carrier's webhook, or its own poll), writes one notice
per change and subscription into the ledger, adds the check-backs that came due and the
parcels at risk, then hands due notices to Rasa one by one. Rasa runs the action that
claims the notice and utters it: a notice is uttered once even when the notifier dies
between its call and its bookkeeping, and never resent once Rasa has taken it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.access import Client, Level
from bot.domain.claims import CheckBack
from bot.domain.clock import Clock
from bot.domain.errors import CarrierError, MessagingUnavailable
from bot.domain.notices import (
    RISK_OF_SITUATION,
    Notice,
    NoticeKind,
    NoticeState,
    QuietHours,
    Subscription,
    Zones,
    backoff,
    check_back_key,
    notice_key,
    status_change,
    status_facts,
)
from bot.domain.orders import Order
from bot.domain.readings import parcel_verdict
from bot.domain.shipments import ShipmentStatus, Tracking, carrier_name
from bot.domain.store_policy import DEFAULT_POLICY, StorePolicy
from bot.services.access import Access
from bot.services.overdue import OverdueTickets, ticket_waiting
from bot.services.ports import (
    CheckBackRepository,
    ConversationTrigger,
    NoticeRepository,
    NoticeTokens,
    OrderRepository,
    SubscriptionRepository,
    TicketRepository,
    TrackingProvider,
)

log = logging.getLogger(__name__)

BATCH = 100  # notices, check-backs or orders handled per step of a cycle
FINAL = frozenset({ShipmentStatus.DELIVERED, ShipmentStatus.RETURN_TO_SENDER})
TICKET_MOVED_ON = "the ticket was taken or closed"


def _who(recipient: str) -> str:
    """A recipient as logs may show it: a short one-way digest, never the phone."""
    return hashlib.sha256(recipient.encode()).hexdigest()[:12]


@dataclass
class Updates:
    """What a conversation may do about updates: consent, stop, STOP, START; and what the
    notice action needs: open the notice a trigger names, claim it."""

    access: Access
    subscriptions: SubscriptionRepository
    notices: NoticeRepository
    check_backs: CheckBackRepository
    tokens: NoticeTokens
    clock: Clock = field(default_factory=Clock)
    # A "nobody took your ticket" notice is rechecked against the ticket as it is said.
    tickets: TicketRepository | None = None

    def subscribe(
        self, client: Client, order_number: str, channel: str, recipient: str
    ) -> Subscription:
        """Updates on an order the client proved (status level; else `NotOrderOwner`)."""
        self.access.grant_for(client, order_number, Level.STATUS)
        consent = Subscription(order_number, channel, recipient, self.clock.now())
        return self.subscriptions.subscribe(consent)

    def unsubscribe(self, channel: str, recipient: str, order_number: str | None) -> int:
        """Stop one order's updates, or all of this recipient's; how many were stopped."""
        return self.subscriptions.stop(channel, recipient, order_number, self.clock.now())

    def opt_out(self, channel: str, recipient: str) -> None:
        """STOP: no proactive message reaches this recipient any more."""
        self.subscriptions.opt_out(channel, recipient, self.clock.now())

    def opt_in(self, channel: str, recipient: str) -> None:
        """START: proactive messages may reach this recipient again."""
        self.subscriptions.opt_in(channel, recipient)

    def opted_out(self, channel: str, recipient: str) -> bool:
        """Whether this recipient said STOP (and not START since)."""
        return self.subscriptions.opted_out(channel, recipient)

    def subscribed(self, channel: str, recipient: str) -> list[Subscription]:
        """The recipient's active subscriptions, oldest first."""
        return self.subscriptions.of_recipient(channel, recipient)

    def open_notice(self, token: str, recipient: str) -> Notice | None:
        """The unsent notice a valid token names, if addressed to `recipient`; else None."""
        notice_id = self.tokens.notice_id(token)
        notice = self.notices.get(notice_id) if notice_id is not None else None
        if notice is None or notice.recipient != recipient:
            return None
        return notice if notice.state in (NoticeState.PENDING, NoticeState.DEFERRED) else None

    def claim(self, notice_id: int) -> bool:
        """Mark a notice sent, once; a check-back it delivers is marked sent too. A notice
        that a hand-off is overdue is dropped instead when an agent took or closed the
        ticket after the notifier looked: the shopper is not told nobody came."""
        now = self.clock.now()
        notice = self.notices.get(notice_id)
        if notice is not None and self._ticket_moved_on(notice):
            self.notices.record_failure(notice_id, notice.attempts, None, TICKET_MOVED_ON)
            return False
        if not self.notices.claim(notice_id, now):
            return False
        if notice is not None and notice.check_back_id is not None:
            self.check_backs.mark_sent(notice.check_back_id, now)
        return True

    def _ticket_moved_on(self, notice: Notice) -> bool:
        if notice.kind is not NoticeKind.HANDOFF_OVERDUE or self.tickets is None:
            return False
        return not ticket_waiting(self.tickets, notice)


@dataclass
class Notifier:
    """The worker's use cases: learn of changes, queue notices, send the due ones."""

    orders: OrderRepository
    carriers: TrackingProvider
    notices: NoticeRepository
    subscriptions: SubscriptionRepository
    trigger: ConversationTrigger
    policy: StorePolicy = DEFAULT_POLICY
    quiet: QuietHours = field(default_factory=QuietHours)
    zones: Zones = field(default_factory=Zones)
    poll_every: timedelta = timedelta(minutes=10)
    handoffs: OverdueTickets | None = None  # hand-offs nobody took in time
    _cursors: dict[str, str | None] = field(default_factory=dict, init=False, repr=False)

    def record_change(
        self, tracking_number: str, reading: Tracking, now: datetime, via: str = "webhook"
    ) -> int:
        """Queue one notice per active subscription when a parcel's state changed; how many.

        The state it is compared with is the one the notifier saw last, else the one the
        status answers saw last (the shopper was told it when they subscribed). With
        neither, only a change that happened since a shopper's consent is news to them.
        """
        change = status_change(reading)
        last = self.notices.last_change(tracking_number)
        order = self.orders.get_by_tracking(tracking_number)
        known = last[0] if last is not None else self._answered(reading)
        made = 0
        if reading.status is not ShipmentStatus.UNKNOWN and known != change.key:
            facts = status_facts(reading, carrier_name(reading.carrier))
            for sub in self._audience(order):
                news = known is not None or change.since is None
                if news or change.since >= sub.consented_at:  # type: ignore[operator]
                    made += self._add(NoticeKind.STATUS_CHANGE, change.key, sub, facts, now)
            self.orders.save_snapshot(reading)
        self.notices.see(change, now, via)  # after the notices: a crash before re-makes them
        return made

    def _answered(self, reading: Tracking) -> str | None:
        """The key of the state the status answers last saw of this parcel, if any."""
        kept = self.orders.last_snapshot(reading.carrier, reading.tracking_number)
        return status_change(kept).key if kept is not None else None

    def poll(self, now: datetime) -> int:
        """Ask the carrier about subscribed parcels no webhook told of lately; changes found."""
        changed = 0
        for order in self._watched("poll"):
            for shipment in order.shipments:
                last = self.notices.last_change(shipment.tracking_number)
                if last is not None and now - last[1] < self.poll_every:
                    continue
                kept = self.orders.last_snapshot(shipment.carrier, shipment.tracking_number)
                if kept is not None and kept.status in FINAL:
                    continue
                try:
                    fresh = self.carriers.track(shipment.carrier, shipment.tracking_number)
                except CarrierError as exc:
                    log.warning("poll of a %s parcel failed: %s", shipment.carrier, exc)
                    continue
                changed += self.record_change(shipment.tracking_number, fresh, now, via="poll")
        return changed

    def check_at_risk(self, now: datetime) -> int:
        """One notice per parcel, risk and subscription, when the policy reads it at risk."""
        made = 0
        for order in self._watched("risks"):
            audience = self._audience(order)
            for shipment in order.shipments:
                kept = self.orders.last_snapshot(shipment.carrier, shipment.tracking_number)
                verdict = parcel_verdict(self.policy, order, shipment, kept, now)
                risk = RISK_OF_SITUATION.get(verdict.situation)
                if risk is None:
                    continue
                facts = {"risk": risk.value, "carrier": carrier_name(shipment.carrier)}
                if kept is not None:
                    facts = {**status_facts(kept, facts["carrier"]), **facts}
                subject = f"{shipment.tracking_number}|{risk.value}"
                for sub in audience:
                    made += self._add(NoticeKind.AT_RISK, subject, sub, facts, now)
        return made

    def queue_check_backs(self, now: datetime) -> int:
        """A notice for each check-back that came due (failed at once when undeliverable)."""
        made = 0
        for back in self.notices.check_backs_to_queue(now, BATCH):
            made += self.notices.add(self._check_back_notice(back, now))
        return made

    def queue_overdue(self, now: datetime) -> int:
        """A notice for each hand-off nobody took in the team's time allowed; how many."""
        return self.handoffs.queue(now) if self.handoffs is not None else 0

    def send_due(self, now: datetime) -> int:
        """Hand due notices to Rasa, outside the shopper's quiet hours; how many were taken."""
        taken = 0
        for notice in self.notices.due(now, BATCH):
            taken += self._send(notice, now)
        return taken

    def cycle(self, now: datetime) -> int:
        """One round of the worker: poll, risks, check-backs, overdue hand-offs, then send."""
        self.poll(now)
        self.check_at_risk(now)
        self.queue_check_backs(now)
        self.queue_overdue(now)
        return self.send_due(now)

    def _send(self, notice: Notice, now: datetime) -> bool:
        assert notice.id is not None
        reason = self._undeliverable(notice)
        if reason is not None:
            self.notices.record_failure(notice.id, notice.attempts, None, reason)
            return False
        order = self.orders.get_by_number(notice.order_number) if notice.order_number else None
        address = order.shipping_address if order is not None else None
        allowed = self.quiet.next_allowed(now, self.zones.of(address))
        if allowed > now and not (self.handoffs and self.handoffs.prompt(notice, now)):
            self.notices.defer(notice.id, allowed)
            return False
        try:
            self.trigger.trigger(notice)
        except MessagingUnavailable as exc:
            attempts = notice.attempts + 1
            retry_at = backoff(attempts, now)
            self.notices.record_failure(notice.id, attempts, retry_at, str(exc))
            outcome = "failed" if retry_at is None else "will retry"
            log.warning("notice %s to %s: %s (%s)", notice.id, _who(notice.recipient), exc, outcome)
            return False
        self.notices.mark_triggered(notice.id, now)
        log.info("notice %s handed to Rasa for %s", notice.id, _who(notice.recipient))
        return True

    def _undeliverable(self, notice: Notice) -> str | None:
        """Why a notice may not go now (STOP, or consent withdrawn), or None."""
        if self.subscriptions.opted_out(notice.channel, notice.recipient):
            return "the recipient opted out (STOP)"
        if notice.kind is NoticeKind.CHECK_BACK:
            return None
        if notice.kind is NoticeKind.HANDOFF_OVERDUE:  # asked for, no subscription needed
            waiting = self.handoffs is not None and self.handoffs.waiting(notice)
            return None if waiting else TICKET_MOVED_ON
        if notice.order_number is None:
            return "an update needs an order"
        mine = (notice.channel, notice.recipient)
        active = self.subscriptions.active_for_order(notice.order_number)
        if not any((s.channel, s.recipient) == mine for s in active):
            return "the recipient stopped updates on this order"
        return None

    def _check_back_notice(self, back: CheckBack, now: datetime) -> Notice:
        assert back.id is not None
        facts = {"check_back_kind": back.kind.value}
        if back.claim_reference:
            facts["claim_reference"] = back.claim_reference
        error, recipient = None, back.recipient
        if recipient is None:
            error = "the check-back names no recipient to deliver to"
        elif self.subscriptions.opted_out(back.conversation.channel, recipient):
            error = "the recipient opted out (STOP)"
        return Notice(
            key=check_back_key(back.id),
            kind=NoticeKind.CHECK_BACK,
            order_number=back.order_number,
            tracking_number=None,
            channel=back.conversation.channel,
            recipient=recipient or "",
            facts=facts,
            created_at=now,
            next_attempt_at=now,
            state=NoticeState.FAILED if error else NoticeState.PENDING,
            last_error=error,
            check_back_id=back.id,
        )

    def _watched(self, step: str) -> list[Order]:
        """The next batch of subscribed orders for a step (poll, risks): each round goes
        on where the last stopped, so every order is reached however many there are."""
        numbers = self.subscriptions.subscribed_orders(BATCH, self._cursors.get(step))
        self._cursors[step] = numbers[-1] if len(numbers) == BATCH else None
        found = (self.orders.get_by_number(n) for n in numbers)
        return [order for order in found if order is not None]

    def _audience(self, order: Order | None) -> list[Subscription]:
        """The order's active subscriptions whose recipient did not say STOP."""
        if order is None:
            return []
        return [
            s
            for s in self.subscriptions.active_for_order(order.order_number)
            if not self.subscriptions.opted_out(s.channel, s.recipient)
        ]

    def _add(
        self,
        kind: NoticeKind,
        subject: str,
        sub: Subscription,
        facts: dict[str, str],
        now: datetime,
    ) -> int:
        tracking_number = subject.split("|", 1)[0]  # every subject starts with the parcel
        notice = Notice(
            key=notice_key(kind, subject, sub.channel, sub.recipient),
            kind=kind,
            order_number=sub.order_number,
            tracking_number=tracking_number,
            channel=sub.channel,
            recipient=sub.recipient,
            facts=facts,
            created_at=now,
            next_attempt_at=now,
        )
        return int(self.notices.add(notice))
