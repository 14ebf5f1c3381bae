"""The leads' trends: each figure folded from known tallies, against hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.clock import Clock
from bot.domain.leads import Outcome
from bot.domain.trends import (
    Accuracy,
    ConversationTally,
    EstimateCheck,
    ScoreTally,
    TrendInputs,
    accuracy,
    is_wismo,
    parse_period,
    report,
)
from bot.services.trends import Trends, tables, text

NEW_YORK = ZoneInfo("America/New_York")
SINCE = datetime(2026, 12, 8, 5, 0, tzinfo=UTC)  # Dec 8, 00:00 in New York
UNTIL = datetime(2026, 12, 10, 5, 0, tzinfo=UTC)  # Dec 10, 00:00: two days
DAY1, DAY2 = date(2026, 12, 8), date(2026, 12, 9)


def hour(day: int, at: int) -> datetime:
    return datetime(2026, 12, day, at, 0, tzinfo=UTC)


# Dec 9 03:00 UTC is Dec 8 22:00 in New York: it counts on the first day.
CONVERSATIONS = (
    ConversationTally(hour(8, 15), "rest", Outcome.RESOLVED, True, 2),
    ConversationTally(hour(9, 3), "rest", Outcome.HANDED_OFF, False, 1),
    ConversationTally(hour(9, 3), "twilio", Outcome.RESOLVED, False, 1),
    ConversationTally(hour(9, 14), "socketio", Outcome.ABANDONED, False, 1),
    ConversationTally(hour(9, 20), "twilio", Outcome.RESOLVED, True, 1),
    ConversationTally(hour(9, 21), None, Outcome.RESOLVED, False, 1),
)
INPUTS = TrendInputs(
    SINCE,
    UNTIL,
    conversations=CONVERSATIONS,
    handoffs=(("asked", 3), ("policy", 1), ("frustrated", 3)),
    scores=(
        ScoreTally(hour(8, 16), 10, 1),
        ScoreTally(hour(8, 17), 9, 1),
        ScoreTally(hour(9, 4), 3, 1),  # Dec 8, 23:00 in New York
        ScoreTally(hour(9, 15), 7, 2),
    ),
    delays=(("ups", "weather_delay", 2), ("fedex", "not_said", 1), ("ups", "carrier_delay", 2)),
    claims=(("damaged", "open", 1), ("not_received", "closed", 2)),
    estimates=(
        EstimateCheck("ups", date(2026, 12, 5), date(2026, 12, 4)),
        EstimateCheck("ups", date(2026, 12, 5), date(2026, 12, 5)),
        EstimateCheck("ups", date(2026, 12, 5), date(2026, 12, 7)),
        EstimateCheck("usps", date(2026, 12, 6), date(2026, 12, 6)),
    ),
)


@pytest.fixture(scope="module")
def found():  # type: ignore[no-untyped-def]
    return report(INPUTS, NEW_YORK)


def test_a_wismo_conversation_asked_where_an_order_is() -> None:
    assert is_wismo(["greet", "order_status"])
    assert is_wismo(["package_missing"])
    assert not is_wismo(["greet", "cancel_order", "faq"])


def test_volume_counts_each_day_of_the_stores_zone_by_channel(found) -> None:  # type: ignore[no-untyped-def]
    volume = found.volume
    assert volume.days == (DAY1, DAY2)
    # rest 3 (2 + 1), twilio 2, socketio 1, unknown 1; the tie socketio/unknown by name.
    assert volume.channels == ("rest", "twilio", "socketio", "unknown")
    assert volume.counts == ((3, 1, 0, 0), (0, 1, 1, 1))
    assert volume.total == 7


def test_containment_is_the_share_resolved_with_no_person(found) -> None:  # type: ignore[no-untyped-def]
    c = found.containment
    assert (c.resolved, c.handed_off, c.abandoned) == (5, 1, 1)
    assert c.share == 71.4  # 5 of 7
    assert c.days == ((DAY1, 3, 1, 0), (DAY2, 2, 0, 1))


def test_handoff_reasons_are_counted_the_most_first_then_by_name(found) -> None:  # type: ignore[no-untyped-def]
    assert found.reasons.rows == ((("asked",), 3), (("frustrated",), 3), (("policy",), 1))
    assert found.reasons.total == 7


def test_nps_per_day_uses_the_promoters_minus_detractors_formula(found) -> None:  # type: ignore[no-untyped-def]
    nps = found.nps
    # Dec 8: 10, 9, 3 -> (2 - 1) / 3 = 33.3; Dec 9: 7, 7 -> 0; all: (2 - 1) / 5 = 20.
    assert nps.days == ((DAY1, 3, 33.3), (DAY2, 2, 0.0))
    assert (nps.answers, nps.score) == (5, 20.0)


def test_a_day_without_answers_has_no_score() -> None:
    quiet = report(TrendInputs(SINCE, UNTIL, scores=(ScoreTally(hour(9, 15), 10, 1),)), NEW_YORK)
    assert quiet.nps.days == ((DAY1, 0, None), (DAY2, 1, 100.0))


def test_delays_are_counted_by_carrier_and_cause(found) -> None:  # type: ignore[no-untyped-def]
    assert found.delays.rows == (
        (("ups", "carrier_delay"), 2),
        (("ups", "weather_delay"), 2),
        (("fedex", "not_said"), 1),
    )


def test_claims_are_counted_by_type_and_state(found) -> None:  # type: ignore[no-untyped-def]
    assert found.claims.rows == ((("not_received", "closed"), 2), (("damaged", "open"), 1))


def test_preventable_is_the_share_asked_while_on_time(found) -> None:  # type: ignore[no-untyped-def]
    assert (found.preventable.preventable, found.preventable.wismo) == (3, 7)
    assert found.preventable.share == 42.9


def test_a_date_told_is_met_before_on_or_after_the_day() -> None:
    told = date(2026, 12, 5)
    assert accuracy(told, date(2026, 12, 4)) is Accuracy.BEFORE
    assert accuracy(told, told) is Accuracy.ON
    assert accuracy(told, date(2026, 12, 6)) is Accuracy.AFTER


def test_date_accuracy_over_all_and_per_carrier(found) -> None:  # type: ignore[no-untyped-def]
    a = found.accuracy
    assert a.counts == (1, 2, 1)
    assert a.carriers == (("ups", (1, 1, 1)), ("usps", (0, 1, 0)))
    assert a.on_share == 50.0


def test_an_empty_period_has_every_figure_and_no_share() -> None:
    empty = report(TrendInputs(SINCE, UNTIL), NEW_YORK)
    assert empty.containment.share is None
    assert empty.preventable.share is None
    assert empty.nps.score is None
    assert empty.accuracy.total == 0


@pytest.mark.parametrize(
    ("given", "period"),
    [
        ("7d", timedelta(days=7)),
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        (" 90D ", timedelta(days=90)),
    ],
)
def test_a_period_is_days_or_hours(given: str, period: timedelta) -> None:
    assert parse_period(given) == period


@pytest.mark.parametrize("given", ["", "7", "d", "7w", "-7d", "0d", "seven days"])
def test_a_bad_period_says_what_it_expects(given: str) -> None:
    with pytest.raises(ValueError, match="like 7d or 12h"):
        parse_period(given)


class Source:
    def __init__(self) -> None:
        self.asked: list[tuple[datetime, datetime]] = []

    def gather(self, since: datetime, until: datetime) -> TrendInputs:
        self.asked.append((since, until))
        return INPUTS


def test_the_last_period_ends_now() -> None:
    source = Source()
    Trends(source, Clock(UNTIL), NEW_YORK).last(timedelta(days=2))
    assert source.asked == [(SINCE, UNTIL)]


def test_the_tables_say_each_figure(found) -> None:  # type: ignore[no-untyped-def]
    shown = {t.name: t for t in tables(found)}
    assert list(shown) == [
        "volume",
        "containment",
        "reasons",
        "nps",
        "delays",
        "claims",
        "preventable",
        "accuracy",
    ]
    assert shown["containment"].title.startswith("Containment: 71.4% resolved with no person")
    assert shown["volume"].rows[0] == ("2026-12-08", "3", "1", "0", "0", "4")
    assert shown["accuracy"].rows[-1] == ("all", "1", "2", "1")
    printed = text(shown["preventable"])
    assert printed.splitlines()[-1].split() == ["3", "7", "42.9%"]
