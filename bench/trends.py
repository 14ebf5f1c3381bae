"""How long the leads' trends take over 100,000 conversations (`wismo report`'s work).

A scratch SQLite order store is filled in bulk with `CONVERSATIONS` conversations over
the last 90 days (a realistic mix: two in three ask where an order is; of those most
are resolved, about one in six handed off; channels REST, widget, SMS, WhatsApp), each
WISMO answer's parcels told (on time, late with a cause, with an estimate), their
tracking snapshots (most delivered), tickets, claims and NPS answers. Then
`Trends.report` runs over the last 7 and 30 days, `REPEATS` times each; the best and
the median are reported.

    python -m bench.trends [--conversations 100000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert

from bot.adapters.db.engine import make_engine, migrate
from bot.adapters.db.models import (
    ConversationRow,
    SurveyRow,
    TicketRow,
    ToldParcelRow,
    TrackingSnapshotRow,
)
from bot.adapters.db.trends import SqlTrends
from bot.domain.clock import Clock
from bot.domain.shipments import ShipmentStatus
from bot.domain.tickets import TicketState, Trigger
from bot.services.trends import Trends

Json = dict[str, Any]
CONVERSATIONS = 100_000
DAYS = 90
REPEATS = 5
PERIODS = (7, 30)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CHANNELS = ("rest", "socketio", "twilio", "whatsapp_cloud")
WISMO = ("order_status", "delivery_late", "package_missing")
OTHER = ("faq", "cancel_order", "change_address", "greet")
SITUATIONS = ("in_transit",) * 6 + ("out_for_delivery", "late", "trending_late", "stalled")
CAUSES = (None, "weather_delay", "carrier_delay", "customs_delay")
CARRIERS = ("ups", "usps", "fedex", "dhl")
TRIGGERS = tuple(Trigger)
BATCH = 5_000


def _rows(count: int, rng: random.Random) -> dict[str, list[Json]]:
    tables: dict[str, list[Json]] = {"conversations": [], "told": [], "snapshots": []}
    tables |= {"tickets": [], "surveys": []}
    for n in range(count):
        name = f"bench-{n}"
        started = NOW - timedelta(seconds=rng.uniform(0, DAYS * 86400))
        wismo = rng.random() < 0.66
        handed = wismo and rng.random() < 0.17
        answered = wismo and (handed or rng.random() < 0.85)
        channel = rng.choice(CHANNELS)
        tables["conversations"].append(
            {
                "conversation": name,
                "channel": channel,
                "started_at": started,
                "last_event_at": started + timedelta(minutes=rng.uniform(0.5, 10)),
                "events": 14,
                "user_messages": 3,
                "bot_messages": 4,
                "intents": ["greet", rng.choice(WISMO)] if wismo else [rng.choice(OTHER)],
                "order_numbers": [f"WM-{n:06d}"] if answered else [],
                "answered": answered,
            }
        )
        if answered:
            _told(tables, name, n, started, rng)
        if handed:
            tables["tickets"].append(_ticket(name, n, channel, started, rng))
        elif answered and rng.random() < 0.25:
            tables["surveys"].append(_survey(name, channel, started, rng))
    return tables


def _told(
    tables: dict[str, list[Json]], name: str, n: int, at: datetime, rng: random.Random
) -> None:
    situation = rng.choice(SITUATIONS)
    late = situation in ("late", "trending_late", "stalled")
    estimate = at.date() + timedelta(days=rng.randint(0, 4))
    carrier, parcel = rng.choice(CARRIERS), f"TRK{n:09d}"
    tables["told"].append(
        {
            "conversation": name,
            "at": at + timedelta(seconds=30),
            "order_number": f"WM-{n:06d}",
            "carrier": carrier,
            "tracking_number": parcel,
            "situation": situation,
            "cause": rng.choice(CAUSES) if late else None,
            "estimate": None if situation == "stalled" else estimate,
        }
    )
    if rng.random() < 0.8:
        day = estimate + timedelta(days=rng.choice((-1, 0, 0, 0, 1, 2)))
        scans = [
            {"time": f"{day - timedelta(days=2)}T08:00:00-05:00", "status": "in_transit"},
            {"time": f"{day}T14:00:00-05:00", "status": "delivered"},
        ]
        events = [{**s, "detail": None, "description": "", "location": None} for s in scans]
        tables["snapshots"].append(
            {
                "carrier": carrier,
                "tracking_number": parcel,
                "status": ShipmentStatus.DELIVERED,
                "detail": None,
                "estimated_delivery": estimate,
                "events": events,
                "fetched_at": at,
            }
        )


def _ticket(name: str, n: int, channel: str, at: datetime, rng: random.Random) -> Json:
    return {
        "reference": f"HD-{n:06d}",
        "state": TicketState.CLOSED,
        "trigger": rng.choice(TRIGGERS),
        "channel": channel,
        "conversation": name,
        "active_key": None,
        "verified": True,
        "how": "email",
        "order_number": None,
        "packet": {},
        "created_at": at + timedelta(minutes=2),
    }


def _survey(name: str, channel: str, at: datetime, rng: random.Random) -> Json:
    return {
        "shopper": name,
        "channel": channel,
        "conversation": name,
        "order_number": None,
        "asked_at": at + timedelta(minutes=3),
        "score": rng.choice(range(11)),
        "answered_at": at + timedelta(minutes=4),
    }


def fill(engine: Engine, count: int, seed: int = 17) -> dict[str, int]:
    """The scratch store filled in bulk; how many rows of each kind."""
    tables = _rows(count, random.Random(seed))  # noqa: S311  (a repeatable mix, no secret)
    models = {
        "conversations": ConversationRow,
        "told": ToldParcelRow,
        "snapshots": TrackingSnapshotRow,
        "tickets": TicketRow,
        "surveys": SurveyRow,
    }
    with engine.begin() as connection:
        for key, model in models.items():
            rows = tables[key]
            for start in range(0, len(rows), BATCH):
                connection.execute(insert(model), rows[start : start + BATCH])
    return {key: len(rows) for key, rows in tables.items()}


def measure(workdir: Path, count: int = CONVERSATIONS, url: str | None = None) -> Json:
    """Fill a scratch store and time the report over each period."""
    engine = make_engine(url or f"sqlite:///{workdir / 'trends.db'}")
    migrate(engine)
    began = time.perf_counter()
    rows = fill(engine, count)
    fill_s = time.perf_counter() - began
    trends = Trends(SqlTrends.on(engine), Clock(NOW), ZoneInfo("America/New_York"))
    runs = []
    for days in PERIODS:
        times, found = [], None
        for _ in range(REPEATS):
            began = time.perf_counter()
            found = trends.last(timedelta(days=days))
            times.append((time.perf_counter() - began) * 1000)
        assert found is not None
        runs.append(
            {
                "days": days,
                "best_ms": round(min(times), 1),
                "median_ms": round(statistics.median(times), 1),
                "wismo_conversations": found.volume.total,
            }
        )
    engine.dispose()
    return {"conversations": count, "rows": rows, "fill_s": round(fill_s, 1), "runs": runs}


def lines(result: Json | None) -> list[str]:
    """The report's lines of the bench's table."""
    if not result:
        return []
    return [
        f"trends report over {result['conversations']:,} conversations, last {r['days']} days"
        f" ({r['wismo_conversations']:,} WISMO): best {r['best_ms']:.0f} ms,"
        f" median {r['median_ms']:.0f} ms"
        for r in result["runs"]
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--conversations", type=int, default=CONVERSATIONS)
    parser.add_argument("--postgres", help="a PostgreSQL URL instead of a scratch SQLite file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wismo-trends-") as tmp:
        result = measure(Path(tmp), args.conversations, args.postgres)
    print(f"filled {result['rows']} in {result['fill_s']} s")
    print("\n".join(lines(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
