"""What support leads read: conversations, how each ended, and their words masked.

A conversation ended one of three ways: a person was handed it (a ticket), the assistant
answered about an order and nobody was needed (resolved), or neither (abandoned). Leads
filter conversations by when, channel, intent, outcome, order and NPS. What a shopper
typed is shown masked unless a lead reveals that one conversation: emails, phones,
postcodes and street lines by pattern, and the names, emails, phones and street lines of
the orders the conversation was about, wherever they appear. Standard library only.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

NAME_MASK = "<name>"
MIN_NAME_CHARS = 2
NATIONAL_DIGITS = 10  # a phone without its country code, as North Americans type it


class Outcome(enum.StrEnum):
    """How a conversation ended."""

    RESOLVED = "resolved"  # the assistant answered about an order; no person needed
    HANDED_OFF = "handed_off"  # a person was handed it (a ticket)
    ABANDONED = "abandoned"  # neither


class NpsBand(enum.StrEnum):
    """The NPS filter: promoters (9-10), passives (7-8), detractors (0-6), or any answer."""

    ANSWERED = "answered"
    PROMOTER = "promoter"
    PASSIVE = "passive"
    DETRACTOR = "detractor"

    def scores(self) -> range:
        """The scores in this band."""
        return {
            NpsBand.ANSWERED: range(0, 11),
            NpsBand.PROMOTER: range(9, 11),
            NpsBand.PASSIVE: range(7, 9),
            NpsBand.DETRACTOR: range(0, 7),
        }[self]


@dataclass(frozen=True)
class ConversationFilter:
    """Which conversations a lead asked for; None means any."""

    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    intent: str | None = None
    outcome: Outcome | None = None
    order_number: str | None = None
    nps: NpsBand | None = None


@dataclass(frozen=True)
class Listed:
    """One conversation in a lead's list; `key` names it in the pages (never the sender id,
    which on SMS is the phone)."""

    key: int
    conversation: str
    channel: str | None
    started_at: datetime
    last_event_at: datetime
    user_messages: int
    intents: tuple[str, ...]
    order_numbers: tuple[str, ...]
    outcome: Outcome
    ticket: str | None = None  # the hand-off's reference
    nps_score: int | None = None
    nps_reason: str | None = None


def outcome_of(handed_off: bool, order_numbers: Iterable[str], answered: bool) -> Outcome:
    """How a conversation ended: a ticket, else an answer about an order, else abandoned."""
    if handed_off:
        return Outcome.HANDED_OFF
    if answered and any(order_numbers):
        return Outcome.RESOLVED
    return Outcome.ABANDONED


@dataclass(frozen=True)
class Masker:
    """Masks personal data in text: patterns (`redact`) and the known values of the
    conversation's orders (names, emails, phones, street lines)."""

    redact: Callable[[str], str]
    known: tuple[str, ...] = field(default=())

    def __call__(self, text: str) -> str:
        """The text with every personal detail masked."""
        # The patterns first, so an email, phone or street line reads as what it was
        # (<email>, not <name>); the known values then mask what the patterns missed.
        text = self.redact(text)
        for value in sorted(self.known, key=len, reverse=True):
            if len(value) >= MIN_NAME_CHARS:
                text = re.sub(rf"(?i)\b{re.escape(value)}\b", NAME_MASK, text)
        return text


def personal_values(name: str, email: str, phone: str | None, line1: str) -> tuple[str, ...]:
    """What of one order's customer and address would name them: the whole name and each
    part of it, the email, the phone, the street line."""
    parts = [p for p in re.split(r"\s+", name.strip()) if len(p) >= MIN_NAME_CHARS]
    values = [name.strip(), *parts, email, line1]
    # A phone typed as bare digits ("4155550134") is no pattern's: its digits, with and
    # without the country code, are masked as known values.
    digits = re.sub(r"\D", "", phone or "")
    phones = [phone or "", digits, digits[-NATIONAL_DIGITS:]] if digits else []
    return tuple(v for v in [*values, *phones] if v)
