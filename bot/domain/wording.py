"""Dates and durations as a person reads them (the words around them live in domain.yml)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

QUARTER = timedelta(minutes=15)


def day_label(day: date) -> str:
    """ "Saturday, November 21"."""
    return f"{day:%A}, {day:%B} {day.day}"


def relative_day(day: date, today: date) -> str:
    """ "today", "tomorrow", "yesterday", or the day's label."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return day_label(day)


def ago(then: datetime, now: datetime) -> str:
    """ "just now", "5 minutes ago", "3 hours ago", "2 days ago"."""
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def day_phrase(day: date, today: date) -> str:
    """ "Saturday, November 21", with "(today)" or "(tomorrow)" when it is."""
    relative = relative_day(day, today)
    label = day_label(day)
    return label if relative == label else f"{label} ({relative})"


def clock_time(at: datetime) -> str:
    """ "3:05 pm"."""
    return f"{at:%I:%M %p}".lstrip("0").lower()


def short_moment(then: datetime, now: datetime) -> str:
    """ "Dec 3, 3:05 pm", in `now`'s timezone."""
    local = then.astimezone(now.tzinfo)
    return f"{local:%b} {local.day}, {clock_time(local)}"


def moment(then: datetime, now: datetime) -> str:
    """ "Friday, November 20 at 3:05 pm (2 hours ago)", in `now`'s timezone."""
    local = then.astimezone(now.tzinfo)
    return f"{day_label(local.date())} at {clock_time(local)} ({ago(then, now)})"


_SYMBOLS = {"USD": "$", "CAD": "CA$", "GBP": "£", "EUR": "€"}


def money(amount: Decimal, currency: str | None) -> str:
    """ "$129.00", "£40.50", or "129.00 CHF" for a currency without a symbol here."""
    value = f"{amount.quantize(Decimal('0.01')):,}"
    symbol = _SYMBOLS.get((currency or "").upper())
    return f"{symbol}{value}" if symbol else f"{value} {currency or ''}".strip()


def moment_ahead(at: datetime | None, now: datetime) -> str:
    """A time to come, never earlier than it: "on Saturday, November 21 (tomorrow) around
    6:45 am", or "late on Saturday, November 21 (tomorrow)" for midnight; empty for None."""
    if at is None:
        return ""
    local = at.astimezone(now.tzinfo)
    hour = local.replace(minute=0, second=0, microsecond=0)
    quarters = -(-(local - hour) // QUARTER)  # rounded up
    up = hour + QUARTER * quarters
    if up.hour == 0 and up.minute == 0:
        return f"late on {day_phrase((up - timedelta(days=1)).date(), now.date())}"
    clock = f"{up:%I:%M %p}".lstrip("0").replace(":00", "").lower()
    return f"on {day_phrase(up.date(), now.date())} around {clock}"
