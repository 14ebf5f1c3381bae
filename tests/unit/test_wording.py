from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.wording import ago, day_label, day_phrase, moment, moment_ahead, money
from tests.unit.builders import NOW


def test_dates_read_as_a_person_says_them() -> None:
    assert day_label(date(2026, 11, 21)) == "Saturday, November 21"
    assert day_label(date(2026, 12, 1)) == "Tuesday, December 1"


def test_near_dates_say_today_or_tomorrow_too() -> None:
    today = date(2026, 11, 20)
    assert day_phrase(date(2026, 11, 21), today) == "Saturday, November 21 (tomorrow)"
    assert day_phrase(today, today) == "Friday, November 20 (today)"
    assert day_phrase(date(2026, 11, 24), today) == "Tuesday, November 24"


def test_time_since_a_scan_is_rounded_down_to_its_largest_unit() -> None:
    assert ago(NOW - timedelta(seconds=20), NOW) == "just now"
    assert ago(NOW - timedelta(minutes=1), NOW) == "1 minute ago"
    assert ago(NOW - timedelta(hours=3, minutes=50), NOW) == "3 hours ago"
    assert ago(NOW - timedelta(days=2, hours=5), NOW) == "2 days ago"
    assert ago(NOW + timedelta(minutes=5), NOW) == "just now"


def test_a_moment_gives_day_clock_time_and_age_in_the_readers_zone() -> None:
    then = datetime.fromisoformat("2026-11-20T17:05:00+00:00")
    assert moment(then, NOW) == "Friday, November 20 at 12:05 pm (2 hours ago)"


def test_money_is_written_with_the_currency_symbol_and_cents() -> None:
    assert money(Decimal("227"), "USD") == "$227.00"
    assert money(Decimal("1234.5"), "gbp") == "£1,234.50"
    assert money(Decimal("40"), "CHF") == "40.00 CHF"


def test_a_time_to_come_names_the_day_and_the_hour() -> None:
    now = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("America/New_York"))
    assert (
        moment_ahead(now + timedelta(hours=15), now)
        == "on Saturday, November 21 (tomorrow) around 6 am"
    )
    # Never earlier than the moment: 6:31 am is "around 6:45 am", not "around 6 am".
    assert (
        moment_ahead(now + timedelta(hours=15, minutes=31), now)
        == "on Saturday, November 21 (tomorrow) around 6:45 am"
    )
    assert moment_ahead(now + timedelta(hours=9), now) == "late on Friday, November 20 (today)"
    assert moment_ahead(None, now) == ""
