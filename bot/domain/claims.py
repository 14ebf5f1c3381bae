"""Claims, promised check-backs and order changes as the store keeps them.

A claim has a reference the shopper is given (`CL-7F3K9Q`), a type, a state, the
remedy the shopper agreed to and its follow-up date. A check-back is a promise to
get back to the shopper at a time, on the channel of the conversation it was made
in; the conversation is kept as a digest, never as a phone number or an email.
"""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.domain.errors import WismoError
from bot.domain.store_policy import ClaimType

__all__ = [
    "CheckBack",
    "CheckBackKind",
    "Claim",
    "ClaimState",
    "ClaimType",
    "Conversation",
    "OrderChangeKind",
    "ReferenceTaken",
    "Remedy",
    "new_reference",
    "normalize_reference",
]

# No I, L, O, U, 0 or 1: a reference read aloud or typed from a screen is not misread.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6
_DIGEST = re.compile(r"[0-9a-f]{64}")


class ClaimState(enum.StrEnum):
    """Where a claim stands; every state but `closed` counts as open."""

    OPEN = "open"
    WITH_CARRIER = "with_carrier"
    REMEDY_SENT = "remedy_sent"
    NEEDS_PERSON = "needs_person"
    CLOSED = "closed"


class Remedy(enum.StrEnum):
    """The remedy the shopper agreed to (the policy's offers: `store_policy.Offer`)."""

    NONE_YET = "none_yet"
    RESHIP = "reship"
    REFUND_ITEM = "refund_item"
    REFUND_ORDER = "refund_order"
    REFUND_SHIPPING = "refund_shipping"


class CheckBackKind(enum.StrEnum):
    """Why the assistant promised to get back to the shopper."""

    DELIVERY_WINDOW_END = "delivery_window_end"
    CLAIM_FOLLOW_UP = "claim_follow_up"
    BACKORDER_DUE = "backorder_due"


class OrderChangeKind(enum.StrEnum):
    """A change the assistant made to an order."""

    CANCEL = "cancel"
    ADDRESS = "address"


class ReferenceTaken(WismoError):
    """A claim reference was made twice (the caller makes a new one and tries again)."""


def new_reference() -> str:
    """A fresh claim reference like `CL-7F3K9Q`."""
    return "CL-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalize_reference(text: str) -> str | None:
    """`cl 7f3k9q`, `CL7F3K9Q`, `#CL-7F3K9Q` -> `CL-7F3K9Q`; None when it is not a reference."""
    compact = re.sub(r"[\s#_.:-]", "", text).upper()
    body = compact[2:] if compact.startswith("CL") else ""
    valid = len(body) == REFERENCE_LENGTH and all(c in REFERENCE_ALPHABET for c in body)
    return f"CL-{body}" if valid else None


@dataclass(frozen=True)
class Conversation:
    """How to reach a shopper again: the channel and a digest of the conversation."""

    channel: str
    digest: str

    def __post_init__(self) -> None:
        if not _DIGEST.fullmatch(self.digest):
            raise ValueError("a conversation is kept as a 64-character hex digest")


@dataclass(frozen=True)
class Claim:
    """A claim filed for an order, or for one of its parcels."""

    reference: str
    order_number: str
    tracking_number: str | None  # None: the whole order
    type: ClaimType
    state: ClaimState
    remedy: Remedy
    amount: Decimal | None
    currency: str | None
    opened_at: datetime
    follow_up_on: date
    updated_at: datetime

    @property
    def active(self) -> bool:
        """Whether the claim is still being worked on (every state but closed)."""
        return self.state is not ClaimState.CLOSED


@dataclass(frozen=True)
class CheckBack:
    """A promise to get back to the shopper at `due_at`."""

    order_number: str
    kind: CheckBackKind
    due_at: datetime
    conversation: Conversation
    created_at: datetime
    claim_reference: str | None = None
    sent_at: datetime | None = None
    attempts: int = 0
    retry_at: datetime | None = None
    id: int | None = None
    recipient: str | None = None  # the Rasa sender id to deliver to; None: not deliverable
