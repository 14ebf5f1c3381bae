"""The support team's holidays, from the `holidays` library (a country's public holidays)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import holidays


def holiday_calendar(code: str) -> Callable[[date], bool]:
    """Whether a day is a public holiday of `code` ("US", "US-CA", "GB-SCT"; "" for none);
    a ValueError for a country the library does not know."""
    if not code:
        return lambda day: False
    country, _, subdivision = code.upper().partition("-")
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError as exc:
        raise ValueError(f"unknown holiday calendar {code!r}") from exc
    return lambda day: day in calendar
