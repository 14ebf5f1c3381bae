"""The WISMO trends the support leads watch: each figure, and how it is computed (pure).

The inputs are tallies a store gathers for a period (`TrendInputs`); the figures are
folded from them into days of the store's zone. What counts:

- a **WISMO conversation** is one whose intents include a where-is-my-order intent
  (`WISMO_INTENTS`); it counts on the day it started;
- its **outcome** is the leads' (`bot.domain.leads.outcome_of`): handed off (a ticket),
  resolved (the assistant answered about an order, no ticket), else abandoned.
  **Containment** is the share resolved;
- **preventable**: the status answers of the conversation told of parcels, and every
  one was on time with tracking (`ON_TIME`): a proactive update would have told them;
- a **delay** is a parcel told late, trending late or stalled (`DELAYED`), counted once
  per carrier and cause (the carrier's delay detail, `NOT_SAID` when it gave none);
- the **accuracy** of a date told compares each estimate told of a parcel with the day
  it was delivered (the delivered scan's own local day): before, on, or after it.

Standard library only.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from bot.domain.leads import Outcome
from bot.domain.nps import net_promoter_score
from bot.domain.verdicts import Situation

# The intents that ask where an order is, or what went wrong on its way.
WISMO_INTENTS = frozenset(
    {"order_status", "delivery_late", "package_missing", "package_damaged", "no_order_number"}
)
# What a parcel told as one of these had: moving, on schedule, its tracking available.
ON_TIME = frozenset({Situation.IN_TRANSIT, Situation.OUT_FOR_DELIVERY})
DELAYED = frozenset({Situation.LATE, Situation.TRENDING_LATE, Situation.STALLED})
NOT_SAID = "not_said"  # a delay whose carrier gave no cause
NO_CHANNEL = "unknown"  # a conversation with no shopper's message on a known channel


class Accuracy(enum.StrEnum):
    """When a parcel was delivered, against the day the shopper was told."""

    BEFORE = "before"
    ON = "on"
    AFTER = "after"


def accuracy(told: date, delivered: date) -> Accuracy:
    """Whether a parcel came before, on or after the day told."""
    if delivered < told:
        return Accuracy.BEFORE
    return Accuracy.ON if delivered == told else Accuracy.AFTER


def is_wismo(intents: Iterable[str]) -> bool:
    """Whether a conversation with these intents asked where an order is."""
    return any(intent in WISMO_INTENTS for intent in intents)


@dataclass(frozen=True)
class ToldParcel:
    """What a status answer told of one parcel: the policy's reading, its delay's cause,
    the day it said the parcel would come (None when it said none)."""

    conversation: str
    at: datetime
    order_number: str
    carrier: str
    tracking_number: str
    situation: Situation
    cause: str | None = None
    estimate: date | None = None


# --- what a store gathers for a period -------------------------------------------------


@dataclass(frozen=True)
class ConversationTally:
    """How many WISMO conversations began within one hour (UTC) on a channel, and ended so."""

    hour: datetime
    channel: str | None
    outcome: Outcome
    preventable: bool
    count: int


@dataclass(frozen=True)
class ScoreTally:
    """How many NPS answers of one score came within one hour (UTC)."""

    hour: datetime
    score: int
    count: int


@dataclass(frozen=True)
class EstimateCheck:
    """A day told of a parcel, and the day it was delivered."""

    carrier: str
    told: date
    delivered: date


@dataclass(frozen=True)
class TrendInputs:
    """The tallies of a period [since, until) the figures are folded from."""

    since: datetime
    until: datetime
    conversations: tuple[ConversationTally, ...] = ()
    handoffs: tuple[tuple[str, int], ...] = ()  # ticket trigger, tickets
    scores: tuple[ScoreTally, ...] = ()
    delays: tuple[tuple[str, str, int], ...] = ()  # carrier, cause, parcels
    claims: tuple[tuple[str, str, int], ...] = ()  # type, state, claims
    estimates: tuple[EstimateCheck, ...] = ()


# --- the figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    """WISMO conversations per day and channel: `counts[i][j]` of `days[i]`, `channels[j]`."""

    days: tuple[date, ...]
    channels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    @property
    def total(self) -> int:
        """Every WISMO conversation of the period."""
        return sum(map(sum, self.counts))


@dataclass(frozen=True)
class Containment:
    """How WISMO conversations ended, per day; `share`: resolved of all (None for none)."""

    days: tuple[tuple[date, int, int, int], ...]  # day, resolved, handed off, abandoned
    resolved: int
    handed_off: int
    abandoned: int

    @property
    def total(self) -> int:
        """Every WISMO conversation of the period."""
        return self.resolved + self.handed_off + self.abandoned

    @property
    def share(self) -> float | None:
        """Resolved with no person, in percent of all (one decimal)."""
        return _percent(self.resolved, self.total)


@dataclass(frozen=True)
class Counted:
    """Counts by one or more keys, the largest first."""

    rows: tuple[tuple[tuple[str, ...], int], ...]

    @property
    def total(self) -> int:
        """The sum of every row."""
        return sum(count for _, count in self.rows)


@dataclass(frozen=True)
class NpsTrend:
    """The net promoter score per day (None: no answer that day) and over the period."""

    days: tuple[tuple[date, int, float | None], ...]  # day, answers, score
    answers: int
    score: float | None


@dataclass(frozen=True)
class Preventable:
    """WISMO conversations asked while every parcel told of was on time, with tracking."""

    preventable: int
    wismo: int

    @property
    def share(self) -> float | None:
        """In percent of every WISMO conversation (one decimal)."""
        return _percent(self.preventable, self.wismo)


@dataclass(frozen=True)
class DateAccuracy:
    """Days told against days delivered, over all and per carrier."""

    counts: tuple[int, int, int]  # before, on, after
    carriers: tuple[tuple[str, tuple[int, int, int]], ...]

    @property
    def total(self) -> int:
        """Every estimate told of a parcel delivered since."""
        return sum(self.counts)

    @property
    def on_share(self) -> float | None:
        """Delivered on the day told, in percent (one decimal)."""
        return _percent(self.counts[1], self.total)


@dataclass(frozen=True)
class Report:
    """Every figure of a period, its days in the store's zone."""

    since: datetime
    until: datetime
    volume: Volume
    containment: Containment
    reasons: Counted  # hand-offs by why
    nps: NpsTrend
    delays: Counted  # parcels by carrier and cause
    claims: Counted  # claims by type and state
    preventable: Preventable
    accuracy: DateAccuracy


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def days_of(since: datetime, until: datetime, zone: tzinfo) -> tuple[date, ...]:
    """Every day of the zone the period [since, until) touches."""
    first = since.astimezone(zone).date()
    last = (until - timedelta(microseconds=1)).astimezone(zone).date()
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


def volume(tallies: Iterable[ConversationTally], days: tuple[date, ...], zone: tzinfo) -> Volume:
    """WISMO conversations per day and channel; channels by how many, most first."""
    by = Counter[tuple[date, str]]()
    for t in tallies:
        by[t.hour.astimezone(zone).date(), t.channel or NO_CHANNEL] += t.count
    per_channel = Counter[str]()
    for (_, channel), count in by.items():
        per_channel[channel] += count
    channels = tuple(sorted(per_channel, key=lambda c: (-per_channel[c], c)))
    counts = tuple(tuple(by[day, channel] for channel in channels) for day in days)
    return Volume(days, channels, counts)


def containment(
    tallies: Iterable[ConversationTally], days: tuple[date, ...], zone: tzinfo
) -> Containment:
    """How WISMO conversations ended, per day and over the period."""
    by = Counter[tuple[date, Outcome]]()
    for t in tallies:
        by[t.hour.astimezone(zone).date(), t.outcome] += t.count
    rows = tuple(
        (day, by[day, Outcome.RESOLVED], by[day, Outcome.HANDED_OFF], by[day, Outcome.ABANDONED])
        for day in days
    )
    return Containment(
        rows, sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows)
    )


def counted(rows: Iterable[tuple[tuple[str, ...], int]]) -> Counted:
    """Counts summed by key, the largest first (then by key)."""
    sums = Counter[tuple[str, ...]]()
    for key, count in rows:
        sums[key] += count
    return Counted(tuple(sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))))


def nps_trend(tallies: Iterable[ScoreTally], days: tuple[date, ...], zone: tzinfo) -> NpsTrend:
    """The net promoter score of each day's answers, and of all of them."""
    scores: dict[date, list[int]] = defaultdict(list)
    for t in tallies:
        scores[t.hour.astimezone(zone).date()].extend([t.score] * t.count)
    rows = tuple((day, len(scores[day]), net_promoter_score(scores[day])) for day in days)
    every = [s for day in days for s in scores[day]]
    return NpsTrend(rows, len(every), net_promoter_score(every))


def preventable(tallies: Iterable[ConversationTally]) -> Preventable:
    """How many WISMO conversations were preventable, of all."""
    found = wismo = 0
    for t in tallies:
        wismo += t.count
        found += t.count if t.preventable else 0
    return Preventable(found, wismo)


def date_accuracy(checks: Iterable[EstimateCheck]) -> DateAccuracy:
    """Before, on or after the day told: over all, and per carrier (most estimates first)."""
    per: dict[str, Counter[Accuracy]] = defaultdict(Counter)
    for check in checks:
        per[check.carrier][accuracy(check.told, check.delivered)] += 1
    order = (Accuracy.BEFORE, Accuracy.ON, Accuracy.AFTER)
    carriers = tuple(
        (carrier, (c[order[0]], c[order[1]], c[order[2]]))
        for carrier, c in sorted(per.items(), key=lambda kv: (-kv[1].total(), kv[0]))
    )
    totals = tuple(sum(counts[i] for _, counts in carriers) for i in range(3))
    return DateAccuracy((totals[0], totals[1], totals[2]), carriers)


def report(inputs: TrendInputs, zone: tzinfo) -> Report:
    """Every figure of the period, from what the store gathered."""
    days = days_of(inputs.since, inputs.until, zone)
    return Report(
        since=inputs.since,
        until=inputs.until,
        volume=volume(inputs.conversations, days, zone),
        containment=containment(inputs.conversations, days, zone),
        reasons=counted(((why,), n) for why, n in inputs.handoffs),
        nps=nps_trend(inputs.scores, days, zone),
        delays=counted(((carrier, cause), n) for carrier, cause, n in inputs.delays),
        claims=counted(((kind, state), n) for kind, state, n in inputs.claims),
        preventable=preventable(inputs.conversations),
        accuracy=date_accuracy(inputs.estimates),
    )


def parse_period(text: str) -> timedelta:
    """A period as the command line and the console take it: "7d", "30d", "12h"."""
    value, unit = text.strip()[:-1], text.strip()[-1:].lower()
    if not value.isdigit() or unit not in ("d", "h") or int(value) == 0:
        raise ValueError(f"expected a number of days or hours, like 7d or 12h: {text!r}")
    return timedelta(days=int(value)) if unit == "d" else timedelta(hours=int(value))
