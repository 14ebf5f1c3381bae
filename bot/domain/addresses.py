"""A new delivery address as a shopper types it on one line (pure).

"12 Oak Street, Apt 4, Portland, OR 97201": the street line first, then an
optional second line, the city, and the region with the postal code (or the
postal code alone, as the last part). The country stays the order's: a change
of country is not a change of address the assistant makes.
"""

from __future__ import annotations

import re

from bot.domain.orders import Address

# The last part: "OR 97201", "97201", "ON K1A 0B1", "SW1A 1AA".
_REGION_AND_CODE = re.compile(
    r"^(?:(?P<region>[A-Za-z]{2,3})\s+)?(?P<code>\d{5}(?:-\d{4})?|[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d"
    r"|[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2})$"
)
MAX_PART = 80


def parse_address(text: str, country: str) -> Address | None:
    """The address in `text`, or None when it lacks a street line, a city or a postal code."""
    parts = [p.strip() for p in text.replace("\n", ",").split(",") if p.strip()]
    if len(parts) < 3 or any(len(p) > MAX_PART for p in parts):
        return None
    last = _REGION_AND_CODE.match(parts[-1])
    if last is None:
        return None
    region, code, rest = last.group("region"), last.group("code"), parts[:-1]
    # "..., Portland, OR, 97201": the region on its own before the code.
    if region is None and len(rest) >= 3 and re.fullmatch(r"[A-Za-z]{2,3}", rest[-1]):
        region, rest = rest[-1], rest[:-1]
    if len(rest) < 2 or not re.search(r"\d", rest[0]):
        return None  # a street line has a number; "Portland, OR 97201" alone is not enough
    line1, *middle, city = rest
    return Address(
        line1=line1,
        city=city,
        postal_code=code.upper(),
        country=country,
        line2=", ".join(middle) or None,
        region=region.upper() if region else None,
    )
