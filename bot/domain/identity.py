"""Who may see an order: normalizing what shoppers type and checking second factors."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.orders import Order

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


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


def factor_matches(order: Order, factor: Factor) -> bool:
    """Does this second factor match what the store has for the order?"""
    if factor.kind is FactorKind.EMAIL:
        return order.customer.email.lower() == factor.value
    if factor.kind is FactorKind.POSTAL_CODE:
        return normalize_postal_code(order.shipping_address.postal_code) == factor.value
    phone = order.customer.phone
    return phone is not None and normalize_phone(phone) == factor.value


def proves_customer(factor: Factor) -> bool:
    """An email or phone proves the customer; a postal code only the orders sent there."""
    return factor.kind is not FactorKind.POSTAL_CODE


def can_prove(ref: OrderRef, factor: Factor) -> bool:
    """A factor proves nothing when it is the identifier itself (email with email)."""
    return not (ref.kind is RefKind.EMAIL and factor.kind is FactorKind.EMAIL)


def verified_scope(candidates: Iterable[Order], factor: Factor) -> list[Order]:
    """The candidates this factor proves ownership of."""
    return [order for order in candidates if factor_matches(order, factor)]
