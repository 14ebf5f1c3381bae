"""The trends' SQL over a known set of conversations, tickets, claims, surveys and parcels
told, in SQLite and PostgreSQL: every figure against hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert

from bot.adapters.db.models import (
    ClaimRow,
    ConversationRow,
    SurveyRow,
    TicketRow,
    TrackingSnapshotRow,
)
from bot.adapters.db.repository import SqlOrderRepository
from bot.adapters.db.trends import SqlTrends
from bot.domain.claims import ClaimState, Remedy
from bot.domain.shipments import ShipmentStatus
from bot.domain.store_policy import ClaimType
from bot.domain.tickets import TicketState, Trigger
from bot.domain.trends import ToldParcel, report
from bot.domain.verdicts import Situation
from bot.services.ports import AnswerLog, TrendSource
from tests.unit.builders import order

ZONE = ZoneInfo("America/New_York")
IN_TRANSIT = ShipmentStatus.IN_TRANSIT
SINCE = datetime(2026, 12, 8, 5, 0, tzinfo=UTC)  # Dec 8, midnight in New York
UNTIL = SINCE + timedelta(days=2)
DAY1, DAY2 = date(2026, 12, 8), date(2026, 12, 9)
BEFORE = SINCE - timedelta(hours=1)


def at(hours: float) -> datetime:
    return SINCE + timedelta(hours=hours)


# name, channel, intents, answered, order numbers, started (hours after SINCE)
CONVERSATIONS = [
    ("c1", "rest", ["greet", "order_status"], True, ["WM-1"], 2),  # resolved, preventable
    ("c2", "rest", ["order_status", "request_human"], True, ["WM-2"], 3),  # ticket
    ("c3", "twilio", ["delivery_late"], False, [], 26),  # abandoned
    ("c4", "rest", ["faq"], False, [], 4),  # not WISMO
    ("c5", "rest", ["order_status"], True, ["WM-5"], -0.25),  # began before, moved in it
    ("c6", "socketio", ["package_missing"], True, ["WM-6"], 30),  # resolved, preventable
    ("c7", "rest", ["order_status"], True, ["WM-7"], 40),  # resolved; one parcel late
    ("c8", "rest", ["order_status"], True, [], 41),  # answered with no order: abandoned
]


def told(conversation: str, hours: float, carrier: str, parcel: str, situation: Situation,
         cause: str | None = None, estimate: date | None = None) -> ToldParcel:  # fmt: skip
    return ToldParcel(conversation, at(hours), "WM-1", carrier, parcel, situation, cause, estimate)


TOLD = [
    told("c1", 2.1, "ups", "P1", Situation.IN_TRANSIT, estimate=date(2026, 12, 9)),
    told("c1", 2.2, "ups", "P1", Situation.IN_TRANSIT, estimate=date(2026, 12, 9)),  # again
    told("c1", 2.2, "ups", "P8", Situation.IN_TRANSIT, estimate=date(2026, 12, 12)),
    told("c2", 3.1, "ups", "P2", Situation.LATE, "weather_delay"),
    told("c2", 3.5, "ups", "P2", Situation.LATE, "weather_delay"),  # the same parcel again
    told("c6", 30.1, "usps", "P6", Situation.OUT_FOR_DELIVERY, estimate=date(2026, 12, 9)),
    told("c7", 40.1, "fedex", "P7", Situation.STALLED),
    told("c7", 40.1, "fedex", "P9", Situation.IN_TRANSIT, estimate=date(2026, 12, 8)),
    told("c5", -0.2, "ups", "P5", Situation.LATE, "carrier_delay"),  # before the period
]


def delivered(carrier: str, parcel: str, when: str) -> dict[str, Any]:
    event = {"time": when, "status": "delivered", "detail": None, "description": "Delivered"}
    transit = {"time": "2026-12-07T08:00:00-05:00", "status": "in_transit", "detail": None,
               "description": "Departed", "location": None}  # fmt: skip
    return {
        "carrier": carrier,
        "tracking_number": parcel,
        "status": ShipmentStatus.DELIVERED,
        "events": [transit, {**event, "location": None}],
        "estimated_delivery": None,
        "detail": None,
        "fetched_at": at(45),
    }


def ticket(
    reference: str, conversation: str, trigger: Trigger, created: datetime
) -> dict[str, Any]:
    return {
        "reference": reference,
        "state": TicketState.OPEN,
        "trigger": trigger,
        "channel": "rest",
        "conversation": conversation,
        "active_key": f"rest:{conversation}",
        "verified": False,
        "how": "",
        "order_number": None,
        "packet": {},
        "created_at": created,
    }


def claim(reference: str, kind: ClaimType, state: ClaimState, opened: datetime) -> dict[str, Any]:
    return {
        "reference": reference,
        "order_number": "WM-104233",
        "tracking_number": reference,  # one active claim per parcel and type
        "type": kind,
        "state": state,
        "remedy": Remedy.NONE_YET,
        "opened_at": opened,
        "follow_up_on": date(2026, 12, 20),
        "updated_at": opened,
    }


def survey(conversation: str, score: int | None, answered: datetime) -> dict[str, Any]:
    return {
        "shopper": conversation,
        "channel": "rest",
        "conversation": conversation,
        "order_number": None,
        "asked_at": answered - timedelta(minutes=1),
        "score": score,
        "answered_at": answered if score is not None else None,
    }


@pytest.fixture
def trends(store_engine: Engine) -> SqlTrends:
    SqlOrderRepository.on(store_engine).import_batch([order()], [])
    rows = [
        {
            "conversation": name,
            "channel": channel,
            "started_at": at(start),
            "last_event_at": at(start + 0.5),
            "events": 5,
            "user_messages": 2,
            "bot_messages": 2,
            "intents": intents,
            "order_numbers": numbers,
            "answered": answered,
        }
        for name, channel, intents, answered, numbers, start in CONVERSATIONS
    ]
    snapshots = [
        delivered("ups", "P1", "2026-12-09T18:00:00-05:00"),  # told Dec 9: on the day
        delivered("ups", "P8", "2026-12-10T10:00:00-05:00"),  # told Dec 12: before
        delivered("fedex", "P9", "2026-12-10T01:00:00+00:00"),  # told Dec 8: after (its day)
        {**delivered("usps", "P6", "2026-12-09T12:00:00-05:00"), "status": IN_TRANSIT},
    ]
    with store_engine.begin() as connection:
        connection.execute(insert(ConversationRow), rows)
        connection.execute(insert(TrackingSnapshotRow), snapshots)
        connection.execute(
            insert(TicketRow),
            [
                ticket("HD-AAAAAA", "c2", Trigger.ASKED, at(3.2)),
                ticket("HD-BBBBBB", "other", Trigger.POLICY, at(20)),
                ticket("HD-CCCCCC", "c5", Trigger.FRUSTRATED, BEFORE),
            ],
        )
        connection.execute(
            insert(ClaimRow),
            [
                claim("CL-1", ClaimType.DAMAGED, ClaimState.OPEN, at(5)),
                claim("CL-2", ClaimType.NOT_RECEIVED, ClaimState.CLOSED, at(6)),
                claim("CL-3", ClaimType.NOT_RECEIVED, ClaimState.CLOSED, at(30)),
                claim("CL-4", ClaimType.LOST, ClaimState.OPEN, BEFORE),
            ],
        )
        connection.execute(
            insert(SurveyRow),
            [
                survey("c1", 10, at(2.5)),
                survey("c6", 6, at(30.5)),
                survey("c7", 8, at(40.5)),
                survey("c3", None, at(27)),
                survey("c5", 0, BEFORE),
            ],
        )
    store = SqlTrends.on(store_engine)
    store.record(TOLD)
    return store


def test_the_store_satisfies_the_ports(trends: SqlTrends) -> None:
    ports: tuple[AnswerLog, TrendSource] = (trends, trends)
    assert ports


def test_every_figure_of_the_period_equals_the_hand_computed_one(trends: SqlTrends) -> None:
    found = report(trends.gather(SINCE, UNTIL), ZONE)

    # WISMO conversations begun in the period: c1, c2, c6, c7, c8 (rest, rest, socketio,
    # rest, rest) and c3 (twilio); c4 asked no WISMO question, c5 began before.
    assert found.volume.days == (DAY1, DAY2)
    assert found.volume.channels == ("rest", "socketio", "twilio")
    assert found.volume.counts == ((2, 0, 0), (2, 1, 1))
    # c1, c6, c7 resolved; c2 handed off; c3 and c8 (no order) abandoned: 3 of 6.
    c = found.containment
    assert (c.resolved, c.handed_off, c.abandoned, c.share) == (3, 1, 2, 50.0)
    assert c.days == ((DAY1, 1, 1, 0), (DAY2, 2, 0, 2))
    # The tickets of conversations begun in the period: c2's (asked); not c5's, which
    # began before, nor one of a conversation the log does not have.
    assert found.reasons.rows == ((("asked",), 1),)
    # Answers in the period: 10 (Dec 8), 6 and 8 (Dec 9): (1 - 1) / 3 = 0.
    assert found.nps.days == ((DAY1, 1, 100.0), (DAY2, 2, -50.0))
    assert (found.nps.answers, found.nps.score) == (3, 0.0)
    # Late parcels told in the period, once each: P2 (ups, weather), P7 (fedex, none said).
    assert found.delays.rows == ((("fedex", "not_said"), 1), (("ups", "weather_delay"), 1))
    assert found.claims.rows == ((("not_received", "closed"), 2), (("damaged", "open"), 1))
    # Every parcel told on time: c1 and c6 (c7 had a stalled one): 2 of 6.
    assert (found.preventable.preventable, found.preventable.wismo) == (2, 6)
    # P1 on Dec 9 (told twice, counted once), P8 before, P9 after; P6 not delivered yet.
    assert found.accuracy.counts == (1, 1, 1)
    assert found.accuracy.carriers == (("ups", (1, 1, 0)), ("fedex", (0, 0, 1)))


def test_a_period_with_nothing_in_it_is_empty(trends: SqlTrends) -> None:
    found = report(trends.gather(UNTIL + timedelta(days=30), UNTIL + timedelta(days=31)), ZONE)
    assert found.volume.total == 0
    assert found.reasons.rows == found.delays.rows == found.claims.rows == ()
    assert found.accuracy.total == 0
