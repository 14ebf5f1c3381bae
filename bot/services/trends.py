"""The leads' trends of a period (`Trends.report`), and each figure as a plain table.

The figures and how each is counted: bot/domain/trends.py. The command line prints the
tables (`wismo report`); the console shows them beside the charts (/console/trends).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from bot.domain.clock import Clock
from bot.domain.trends import Report, TrendInputs, report
from bot.services.ports import TrendSource

# The figures in the order they are shown; each names its table and its chart.
FIGURES = (
    "volume",
    "containment",
    "reasons",
    "nps",
    "delays",
    "claims",
    "preventable",
    "accuracy",
)


@dataclass(frozen=True)
class Table:
    """One figure as rows of text: a title, the column headers, the rows."""

    name: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


class Trends:
    """The trends of WISMO conversations, over the store's tallies, days in its zone."""

    def __init__(self, source: TrendSource, clock: Clock, zone: tzinfo) -> None:
        self.source = source
        self.clock = clock
        self.zone = zone

    def report(self, since: datetime, until: datetime) -> Report:
        """Every figure of the period [since, until)."""
        inputs: TrendInputs = self.source.gather(since, until)
        return report(inputs, self.zone)

    def last(self, period: timedelta) -> Report:
        """Every figure of the `period` up to now."""
        now = self.clock.now()
        return self.report(now - period, now)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _nps(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}"


def tables(found: Report) -> list[Table]:
    """Every figure of a report as a table, in `FIGURES` order."""
    v, c, p, a = found.volume, found.containment, found.preventable, found.accuracy
    volume = Table(
        "volume",
        f"WISMO conversations per day and channel ({v.total} in all)",
        ("day", *v.channels, "all"),
        tuple(
            (day.isoformat(), *map(str, counts), str(sum(counts)))
            for day, counts in zip(v.days, v.counts, strict=True)
        ),
    )
    contained = Table(
        "containment",
        f"Containment: {_pct(c.share)} resolved with no person ({c.resolved} of {c.total})",
        ("day", "resolved", "handed off", "abandoned", "contained"),
        tuple(
            (day.isoformat(), str(r), str(h), str(x), _pct(_share(r, r + h + x)))
            for day, r, h, x in c.days
        ),
    )
    reasons = Table(
        "reasons",
        f"Hand-offs by why ({found.reasons.total})",
        ("why", "hand-offs"),
        tuple((key[0].replace("_", " "), str(n)) for key, n in found.reasons.rows),
    )
    nps = Table(
        "nps",
        f"NPS per day: {_nps(found.nps.score)} over {found.nps.answers} answers",
        ("day", "answers", "NPS"),
        tuple((day.isoformat(), str(n), _nps(score)) for day, n, score in found.nps.days),
    )
    delays = Table(
        "delays",
        f"Late parcels by carrier and cause ({found.delays.total})",
        ("carrier", "cause", "parcels"),
        tuple((k[0], k[1].replace("_", " "), str(n)) for k, n in found.delays.rows),
    )
    claims = Table(
        "claims",
        f"Claims opened, by type and state ({found.claims.total})",
        ("type", "state", "claims"),
        tuple(
            (k[0].replace("_", " "), k[1].replace("_", " "), str(n)) for k, n in found.claims.rows
        ),
    )
    preventable = Table(
        "preventable",
        f"Preventable WISMO: {_pct(p.share)} asked while on time with tracking",
        ("preventable", "WISMO conversations", "share"),
        ((str(p.preventable), str(p.wismo), _pct(p.share)),),
    )
    accuracy = Table(
        "accuracy",
        f"Delivery dates told: {_pct(a.on_share)} delivered on the day ({a.total} dates)",
        ("carrier", "before", "on", "after"),
        (
            *((carrier, *map(str, counts)) for carrier, counts in a.carriers),
            ("all", *map(str, a.counts)),
        ),
    )
    return [volume, contained, reasons, nps, delays, claims, preventable, accuracy]


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def text(table: Table) -> str:
    """A table as aligned plain text, its title first."""
    rows = [table.headers, *table.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.headers))]
    lines = [table.title]
    for row in rows:
        cells = (
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        lines.append("  ".join(cells).rstrip())
    if not table.rows:
        lines.append("(none)")
    return "\n".join(lines)
