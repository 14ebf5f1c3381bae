"""Who may see an order: normalizing what shoppers type and checking second factors."""

from __future__ import annotations

import enum
import hmac
import re
from dataclasses import dataclass

from bot.domain.orders import Order

# \Z, not $: "$" also matches before a final newline, which would then be kept in the value
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\Z")


class RefKind(enum.StrEnum):
    """What the shopper gave to point at an order (the identifier)."""

    ORDER_NUMBER = "order_number"
    TRACKING_NUMBER = "tracking_number"
    EMAIL = "email"


class FactorKind(enum.StrEnum):
    """What the shopper gave to prove the order is theirs (the second factor)."""

    EMAIL = "email"
    POSTAL_CODE = "zip_code"
    PHONE = "phone_number"
    CHANNEL_PHONE = "channel_phone"
    ONE_TIME_CODE = "one_time_code"


@dataclass(frozen=True)
class OrderRef:
    """A normalized identifier."""

    kind: RefKind
    value: str

    def encode(self) -> str:
        """ "kind:value", for keeping in a conversation slot."""
        return f"{self.kind.value}:{self.value}"

    @classmethod
    def decode(cls, text: str) -> OrderRef:
        """The inverse of `encode`."""
        kind, _, value = text.partition(":")
        return cls(RefKind(kind), value)


@dataclass(frozen=True)
class Factor:
    """A normalized second factor."""

    kind: FactorKind
    value: str

    def encode(self) -> str:
        """ "kind:value", for keeping in a conversation slot."""
        return f"{self.kind.value}:{self.value}"

    @classmethod
    def decode(cls, text: str) -> Factor:
        """The inverse of `encode`."""
        kind, _, value = text.partition(":")
        return cls(FactorKind(kind), value)


@dataclass(frozen=True)
class OrderNumberFormat:
    """The store's order number shape: a prefix and a count of digits."""

    prefix: str = "WM-"
    digits: int = 6

    def normalize(self, text: str) -> str | None:
        """`wm 104233`, `#WM-104233`, `wm104233` -> `WM-104233`; None when it is not one."""
        letters = re.sub(r"[^A-Za-z0-9]", "", self.prefix).upper()
        compact = re.sub(r"[\s#_.:-]", "", text).upper()
        match = re.fullmatch(rf"{re.escape(letters)}(\d{{{self.digits}}})", compact)
        return f"{self.prefix.upper()}{match.group(1)}" if match else None


def normalize_email(text: str) -> str | None:
    """Trimmed and lower-cased, or None when it is not an email address."""
    value = text.strip().strip("<>.,;").lower()
    return value if _EMAIL.match(value) else None


def normalize_postal_code(text: str) -> str | None:
    """Upper-case letters and digits only; US ZIP+4 reduced to its five digits."""
    compact = re.sub(r"[^A-Za-z0-9]", "", text).upper()
    if re.fullmatch(r"\d{9}", compact):
        compact = compact[:5]
    return compact if 3 <= len(compact) <= 10 else None


def normalize_phone(text: str) -> str | None:
    """The last ten digits of a phone number (enough to compare), or None."""
    digits = re.sub(r"\D", "", text)
    return digits[-10:] if len(digits) >= 10 else None


@dataclass(frozen=True)
class OrderIdentity:
    """What a check compares a factor with: an order's owner details, nothing else."""

    order_number: str
    email: str
    postal_code: str
    phone: str | None = None

    @classmethod
    def of(cls, order: Order) -> OrderIdentity:
        """The identity details of a whole order."""
        customer = order.customer
        return cls(
            order.order_number, customer.email, order.shipping_address.postal_code, customer.phone
        )


def factor_matches(order: Order | OrderIdentity, factor: Factor) -> bool:
    """Does this second factor match what the store has for the order?"""
    identity = order if isinstance(order, OrderIdentity) else OrderIdentity.of(order)
    if factor.kind is FactorKind.EMAIL:
        known: str | None = identity.email.lower()
    elif factor.kind is FactorKind.POSTAL_CODE:
        known = normalize_postal_code(identity.postal_code)
    elif factor.kind is FactorKind.PHONE:
        known = normalize_phone(identity.phone or "")
    elif factor.kind is FactorKind.CHANNEL_PHONE:
        # A phone a channel verified is whole (E.164): the last ten digits of another
        # country's number must not prove an order.
        known = identity.phone
    else:
        return False  # a one-time code is checked against the code sent, not the order
    return same(known or "", factor.value) and known is not None


def same(a: str, b: str) -> bool:
    """Whether two secrets are equal, in a time that does not tell where they differ."""
    return hmac.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))


def proves_customer(factor: Factor) -> bool:
    """An email or phone proves the customer; a postal code only the orders sent there."""
    return factor.kind is not FactorKind.POSTAL_CODE


def can_prove(ref: OrderRef, factor: Factor) -> bool:
    """A factor proves nothing when it is the identifier itself (email with email)."""
    return not (ref.kind is RefKind.EMAIL and factor.kind is FactorKind.EMAIL)
