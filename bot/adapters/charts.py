"""The trends drawn as PNG charts with matplotlib (Agg: no display, safe in threads of a
server, each figure its own object), one per figure of bot/services/trends.FIGURES."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes  # noqa: E402  (after the backend is chosen)
from matplotlib.figure import Figure  # noqa: E402

from bot.domain.trends import Counted, Report  # noqa: E402

SIZE = (8.0, 4.0)  # inches
DPI = 100
Draw = Callable[[Axes, Report], None]


def _days(report: Report) -> list[str]:
    return [day.strftime("%b %d") for day in report.volume.days]


def _volume(ax: Axes, report: Report) -> None:
    v, labels = report.volume, _days(report)
    bottom = [0] * len(v.days)
    for j, channel in enumerate(v.channels):
        counts = [row[j] for row in v.counts]
        ax.bar(labels, counts, bottom=bottom, label=channel)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ax.set(title="WISMO conversations per day", xlabel="day", ylabel="conversations")
    if v.channels:
        ax.legend(title="channel")


def _containment(ax: Axes, report: Report) -> None:
    c, labels = report.containment, _days(report)
    bottom = [0] * len(c.days)
    columns = (
        ("resolved", [r for _, r, _, _ in c.days]),
        ("handed off", [h for _, _, h, _ in c.days]),
        ("abandoned", [x for _, _, _, x in c.days]),
    )
    for name, counts in columns:
        ax.bar(labels, counts, bottom=bottom, label=name)
        bottom = [b + n for b, n in zip(bottom, counts, strict=True)]
    share = "-" if c.share is None else f"{c.share:.1f}%"
    ax.set(title=f"Containment: {share} resolved with no person", xlabel="day")
    ax.set_ylabel("WISMO conversations")
    ax.legend()


def _bars(ax: Axes, counted: Counted, title: str, xlabel: str, ylabel: str) -> None:
    labels = [" / ".join(k).replace("_", " ") for k, _ in counted.rows]
    ax.barh(labels[::-1], [n for _, n in counted.rows][::-1])
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)


def _reasons(ax: Axes, report: Report) -> None:
    _bars(ax, report.reasons, "Hand-offs by why", "hand-offs", "why")


def _delays(ax: Axes, report: Report) -> None:
    _bars(ax, report.delays, "Late parcels by carrier and cause", "parcels", "carrier / cause")


def _claims(ax: Axes, report: Report) -> None:
    _bars(ax, report.claims, "Claims opened, by type and state", "claims", "type / state")


def _nps(ax: Axes, report: Report) -> None:
    points = [(day.strftime("%b %d"), s) for day, _, s in report.nps.days if s is not None]
    ax.plot([p[0] for p in points], [p[1] for p in points], marker="o")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_ylim(-100, 100)
    ax.set(title="Net promoter score per day", xlabel="day", ylabel="NPS (-100 to 100)")


def _preventable(ax: Axes, report: Report) -> None:
    p = report.preventable
    ax.bar(["preventable", "other WISMO"], [p.preventable, p.wismo - p.preventable])
    share = "-" if p.share is None else f"{p.share:.1f}%"
    ax.set(title=f"Asked while on time with tracking: {share}", ylabel="conversations")


def _accuracy(ax: Axes, report: Report) -> None:
    a = report.accuracy
    ax.bar(["before", "on the day", "after"], list(a.counts), color=["#4c9", "#48c", "#c64"])
    ax.set(
        title="Delivered against the day told",
        xlabel="delivered",
        ylabel="dates told",
    )


CHARTS: dict[str, Draw] = {
    "volume": _volume,
    "containment": _containment,
    "reasons": _reasons,
    "nps": _nps,
    "delays": _delays,
    "claims": _claims,
    "preventable": _preventable,
    "accuracy": _accuracy,
}


def png(name: str, report: Report) -> bytes:
    """One figure's chart as PNG bytes; KeyError for a figure with no chart."""
    draw = CHARTS[name]
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    draw(figure.subplots(), report)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def write_all(report: Report, folder: Path) -> list[Path]:
    """Every chart as folder/<figure>.png; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CHARTS:
        path = folder / f"{name}.png"
        path.write_bytes(png(name, report))
        written.append(path)
    return written
