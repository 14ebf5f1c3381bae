"""Who may see and do what: levels of proof, grants and the limits on failed checks.

The rules are pure; `bot.services.access` keeps the state (grants, failures,
one-time codes) in the order store, where neither a client nor a forged action
request can set it.

- A tracking number plus a postal code (both printed on the parcel's label)
  proves only that parcel: its status, never the order's contents.
- An order number (or tracking number, or email) plus one factor proves the
  order: its status, its parcels and items, the customer's order history.
- Changing an order or filing a claim needs the order number plus the email on
  it, or a one-time code sent to the order's email or phone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.identity import Factor, FactorKind, OrderRef, RefKind, can_prove


class Level(enum.IntEnum):
    """How much a check proved; each level allows what the ones below it allow."""

    PARCEL = 1  # one parcel's status
    STATUS = 2  # the order, its parcels and items, the customer's order history
    CHANGE = 3  # cancel, change the address, claim, refund


@dataclass(frozen=True)
class Client:
    """Who is asking, as the channel vouched: never what a message or slot says."""

    channel: str
    conversation: str
    subject: str  # the channel's own identity of the client (a session, a phone)
    address: str | None = None
    phone: str | None = None  # a phone number the channel verified

    @property
    def binding(self) -> str:
        """What a grant is bound to besides the conversation."""
        return f"{self.channel}:{self.subject}"


@dataclass(frozen=True)
class Grant:
    """What one conversation has proven about one order, until it goes idle."""

    order_number: str
    level: Level
    tracking_number: str | None = None  # the one parcel a PARCEL grant covers
    last_used: datetime | None = None

    def allows(self, level: Level) -> bool:
        """Whether this grant is enough for `level`."""
        return self.level >= level


def level_of(ref: OrderRef, factor: Factor) -> Level | None:
    """What an identifier plus a factor proves, or None when it proves nothing."""
    if not can_prove(ref, factor):
        return None
    if factor.kind is FactorKind.ONE_TIME_CODE:
        return Level.CHANGE
    if ref.kind is RefKind.ORDER_NUMBER and factor.kind is FactorKind.EMAIL:
        return Level.CHANGE
    if ref.kind is RefKind.TRACKING_NUMBER and factor.kind is FactorKind.POSTAL_CODE:
        return Level.PARCEL
    return Level.STATUS


def strongest(grants: list[Grant]) -> dict[str, Grant]:
    """The strongest grant per order."""
    best: dict[str, Grant] = {}
    for grant in grants:
        kept = best.get(grant.order_number)
        if kept is None or grant.level > kept.level:
            best[grant.order_number] = grant
    return best


class KeyKind(enum.StrEnum):
    """What failed checks are counted by."""

    REFERENCE = "reference"  # the order number, tracking number or email typed
    EMAIL = "email"  # an email given as the factor
    CLIENT = "client"  # the channel's identity of the client
    CONVERSATION = "conversation"
    ADDRESS = "address"  # the source address


@dataclass(frozen=True)
class Limits:
    """How many failed checks each key may have in a sliding window."""

    window: timedelta = timedelta(minutes=15)
    per_reference: int = 5
    per_email: int = 5
    per_client: int = 5
    per_conversation: int = 5
    per_address: int = 20
    idle: timedelta = timedelta(minutes=15)
    codes_per_order: int = 3
    code_life: timedelta = timedelta(minutes=10)

    def limit(self, kind: KeyKind) -> int:
        """The most failures `kind` may have in one window."""
        return {
            KeyKind.REFERENCE: self.per_reference,
            KeyKind.EMAIL: self.per_email,
            KeyKind.CLIENT: self.per_client,
            KeyKind.CONVERSATION: self.per_conversation,
            KeyKind.ADDRESS: self.per_address,
        }[kind]


def failure_keys(
    client: Client, ref: OrderRef | None, factor: Factor | None
) -> set[tuple[KeyKind, str]]:
    """Every key a failed check counts against."""
    keys = {
        (KeyKind.CLIENT, client.binding),
        (KeyKind.CONVERSATION, f"{client.channel}:{client.conversation}"),
    }
    if client.address:
        keys.add((KeyKind.ADDRESS, client.address))
    if ref is not None:
        keys.add((KeyKind.REFERENCE, f"{ref.kind.value}:{ref.value}"))
    if factor is not None and factor.kind is FactorKind.EMAIL:
        keys.add((KeyKind.EMAIL, factor.value))
    return keys


def locked(counts: dict[tuple[KeyKind, str], int], limits: Limits) -> bool:
    """Whether any key has used up its failures in the window."""
    return any(count >= limits.limit(kind) for (kind, _), count in counts.items())
