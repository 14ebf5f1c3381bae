"""Sending hand-offs to the store's own helpdesk: the notifier's webhook step.

Each due delivery is claimed before it is sent (the claim counts the attempt and leases
the row), so two notifier processes never send one delivery at the same time, and a
process that dies mid-send leaves the row to be tried again once the lease ends. Any 2xx
is final; anything else (no answer, a timeout, any other status) is tried again on the
schedule of `bot.domain.helpdesk`, then recorded as failed. Logs and the ledger name the
ticket and the status, never the URL (it may hold a token), the secret or the body.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.errors import MessagingUnavailable
from bot.domain.helpdesk import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    LAST_ATTEMPT,
    SIGNATURE_HEADER,
    Delivery,
    delivered,
    encode,
    handoff_payload,
    retry_at,
    short_error,
    signature,
)
from bot.services.ports import HelpdeskDeliveries, TicketRepository, WebhookSender

log = logging.getLogger(__name__)

BATCH = 50  # deliveries sent per round
LEASE = timedelta(minutes=5)  # longer than any send may take (the sender's timeout)


@dataclass
class HelpdeskWebhook:
    """Sends due deliveries, signed, and keeps the ledger of what each attempt gave."""

    deliveries: HelpdeskDeliveries
    tickets: TicketRepository
    sender: WebhookSender
    secret: str = field(repr=False)
    console_url: str  # where people open the console: transcripts are under it
    lease: timedelta = LEASE

    def send_due(self, now: datetime) -> int:
        """Send every due delivery once; how many the receiver took."""
        return sum(self._send(delivery, now) for delivery in self.deliveries.due(now, BATCH))

    def _send(self, delivery: Delivery, now: datetime) -> bool:
        assert delivery.id is not None
        if not self.deliveries.claim(delivery, now, now + self.lease):
            return False  # another notifier took it
        attempts = delivery.attempts + 1
        if attempts > LAST_ATTEMPT:  # a process died during the last attempt
            return self._failed(delivery, attempts, "no outcome recorded", now)
        body = self._body(delivery)
        if body is None:
            return self._failed(delivery, LAST_ATTEMPT, "the ticket is gone", now)
        headers = {
            SIGNATURE_HEADER: signature(self.secret, body, int(now.timestamp())),
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: delivery.key,
        }
        try:
            status = self.sender.post(body, headers)
        except MessagingUnavailable as exc:
            return self._failed(delivery, attempts, str(exc), now)
        if not delivered(status):
            return self._failed(delivery, attempts, f"answered {status}", now)
        self.deliveries.mark_sent(delivery.id, now)
        log.info("helpdesk webhook %s sent (attempt %d)", delivery.key, attempts)
        return True

    def _body(self, delivery: Delivery) -> bytes | None:
        ticket = self.tickets.by_reference(delivery.reference)
        if ticket is None:
            return None
        transcript = str(ticket.packet.get("transcript") or f"/console/tickets/{ticket.reference}")
        return encode(handoff_payload(ticket, self.console_url.rstrip("/") + transcript))

    def _failed(self, delivery: Delivery, attempts: int, error: str, now: datetime) -> bool:
        assert delivery.id is not None
        again = retry_at(attempts, now)
        self.deliveries.record_failure(delivery.id, again, short_error(error))
        outcome = "failed for good" if again is None else f"will retry at {again.isoformat()}"
        log.warning("helpdesk webhook %s: %s (%s)", delivery.key, short_error(error), outcome)
        return False
