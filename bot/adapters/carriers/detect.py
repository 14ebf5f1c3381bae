"""Which carrier issued a tracking number, judged by its format and check digit."""

from __future__ import annotations

import re

import tracking_numbers

# The library's courier codes already match ours for the big four; the table keeps
# that promise explicit should the library ever rename one.
_OURS = {"ups": "ups", "usps": "usps", "fedex": "fedex", "dhl": "dhl"}

_SEPARATORS = re.compile(r"[\s\-]+")


def normalize_tracking_number(text: str) -> str:
    """The number without spaces or dashes, upper-cased: "1z 999-aa1" -> "1Z999AA1"."""
    return _SEPARATORS.sub("", text).upper()


def detect_carrier(tracking_number: str) -> str | None:
    """Our carrier code for a number whose format and check digit match, else None."""
    number = normalize_tracking_number(tracking_number)
    if not number:
        return None
    match = tracking_numbers.get_tracking_number(number)
    if match is None or not match.valid:
        return None
    code = str(match.courier.code).lower()
    return _OURS.get(code, code)
