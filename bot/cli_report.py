"""`wismo report`: the leads' trends of a period, as tables and PNG charts.

    wismo report --since 7d                        the last 7 days up to now
    wismo report --since 30d --until 2026-12-01    30 days up to that day's start
    wismo report --since 7d --out var/report       where the charts go (the default)

It prints one table per figure and writes one chart per figure to --out.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.bootstrap import build_repository, build_trends
from bot.config import Settings
from bot.domain.errors import StoreUnavailable
from bot.domain.trends import parse_period
from bot.services.trends import tables, text

OK, FAILED, USAGE = 0, 1, 2
DEFAULT_OUT = Path("var") / "report"


def report_arguments(parser: argparse.ArgumentParser) -> None:
    """`wismo report --since 7d [--until DAY] [--out DIR]`."""
    parser.add_argument("--since", required=True, help="how far back: 7d (days) or 12h (hours)")
    parser.add_argument(
        "--until", help="the end, YYYY-MM-DD (its start, the store's zone) or ISO time; now"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the PNG charts go")


def run_report(args: argparse.Namespace, settings: Settings) -> int:
    """Print every figure of the period and write its charts."""
    zone = ZoneInfo(settings.store_timezone)
    try:
        period = parse_period(args.since)
        until = _until(args.until, zone)
    except ValueError as exc:
        print(f"wismo report: {exc}", file=sys.stderr)
        return USAGE
    trends = build_trends(settings, build_repository(settings))
    try:
        end = until or trends.clock.now()
        found = trends.report(end - period, end)
    except StoreUnavailable as exc:
        print(f"wismo report: {exc}", file=sys.stderr)
        return FAILED
    since_local = found.since.astimezone(zone).isoformat(timespec="minutes")
    print(
        f"Trends from {since_local} to {found.until.astimezone(zone).isoformat(timespec='minutes')}"
    )
    for table in tables(found):
        print()
        print(text(table))
    from bot.adapters.charts import write_all  # matplotlib: only this command pays its import

    written = write_all(found, args.out)
    print()
    print(f"charts: {len(written)} in {args.out}")
    return OK


def _until(value: str | None, zone: ZoneInfo) -> datetime | None:
    """The end of the period: a day (its start in the store's zone) or an ISO time."""
    if not value:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--until expects YYYY-MM-DD or an ISO time: {value!r}") from None
    if len(value) == len("YYYY-MM-DD"):
        return datetime.combine(found.date(), time(), zone)
    return found if found.tzinfo else found.replace(tzinfo=zone)
