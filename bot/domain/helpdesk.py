"""The store's own helpdesk: each hand-off sent to a URL it configures, as signed JSON.

One delivery per ticket and event is kept in a ledger (pending -> sent, or failed after
the last attempt). The body is versioned JSON holding what a person needs to take over:
the ticket's reference, why, where, how the shopper was verified (the level, never the
proof), the order number, the packet (statuses, what the bot said, already masked) and
where to read the conversation. Never the conversation id: on a phone channel it is the
shopper's number. The signature is Stripe-style, over the time and the body, so that a
receiver can refuse a forged, altered or replayed request:

    X-Wismo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">

The key is the secret's UTF-8 bytes. A failed attempt is tried again after 1, 5, 15 and
60 minutes (`bot.domain.notices.backoff`); the fifth failure is final.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypedDict

from bot.domain.notices import MAX_ATTEMPTS, backoff
from bot.domain.tickets import Ticket

VERSION = 1
HANDOFF_CREATED = "handoff.created"
SIGNATURE_HEADER = "X-Wismo-Signature"
EVENT_HEADER = "X-Wismo-Event"
DELIVERY_HEADER = "X-Wismo-Delivery"
TOLERANCE_SECONDS = 300  # how old (or how far ahead) a signature a receiver should accept
ERROR_CHARS = 200
LAST_ATTEMPT = MAX_ATTEMPTS  # the attempt after which a delivery has failed


class DeliveryState(enum.StrEnum):
    """Where a delivery stands; `sent` and `failed` are final."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    """One event of one ticket for the store's helpdesk, as the ledger keeps it."""

    reference: str  # the ticket's
    event: str
    created_at: datetime
    next_at: datetime  # when the next attempt is due (or, while one runs, its lease ends)
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str | None = None  # short: a status code or an exception's name
    id: int | None = None

    @property
    def key(self) -> str:
        """The same for every attempt of this delivery: a receiver's idempotency key."""
        return f"{self.reference}:{self.event}"


class TicketJson(TypedDict):
    """The ticket inside a webhook body."""

    reference: str
    trigger: str
    channel: str
    verified: bool
    how: str
    order_number: str | None
    created_at: str
    transcript_url: str
    packet: dict[str, Any]


class HandoffJson(TypedDict):
    """A webhook body, version 1."""

    version: int
    event: str
    delivery: str
    ticket: TicketJson


def handoff_payload(ticket: Ticket, transcript_url: str) -> HandoffJson:
    """The `handoff.created` body of a ticket: its facts, never the conversation id."""
    packet = {key: value for key, value in ticket.packet.items() if key != "transcript"}
    return {
        "version": VERSION,
        "event": HANDOFF_CREATED,
        "delivery": f"{ticket.reference}:{HANDOFF_CREATED}",
        "ticket": {
            "reference": ticket.reference,
            "trigger": ticket.trigger.value,
            "channel": ticket.channel,
            "verified": ticket.verified,
            "how": ticket.how,
            "order_number": ticket.order_number,
            "created_at": ticket.created_at.astimezone(UTC).isoformat(),
            "transcript_url": transcript_url,
            "packet": packet,
        },
    }


def encode(payload: HandoffJson) -> bytes:
    """The exact bytes sent (and signed): compact UTF-8 JSON."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The `X-Wismo-Signature` value of a body sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify_signature(
    secret: str, header: str, body: bytes, now: float, tolerance: float = TOLERANCE_SECONDS
) -> bool:
    """Whether `header` signs exactly `body` with `secret`, within `tolerance` of `now`."""
    parts = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for name, _, value in parts if name == "t"]
    digests = [value for name, _, value in parts if name == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not digests:
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False  # too old (a replay) or from the future
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, digest) for digest in digests)


def delivered(status: int) -> bool:
    """Whether the receiver's answer counts as received: any 2xx (redirects are not followed)."""
    return 200 <= status < 300


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed attempts; None: the delivery failed."""
    return backoff(attempts, now)


def short_error(text: str) -> str:
    """An error as the ledger keeps it: one line, cut short."""
    return " ".join(text.split())[:ERROR_CHARS]
