"""The support leads' trends page (an agent gets 403).

    GET  /console/trends?since=7d           every figure of the period, as tables and charts
    GET  /console/trends/<figure>.png       one figure's chart, drawn on request

`since` is one of `PERIODS` (7d by default); anything else is said on the page and the
default used, never a 500.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from bot.adapters.charts import CHARTS, png
from bot.bootstrap import build_repository, build_trends
from bot.domain.accounts import Role
from bot.domain.trends import Report, parse_period
from bot.services.trends import Trends, tables
from bot.web.console import page, secure, signed_in
from bot.web.context import built

blueprint = Blueprint("trends", __name__, url_prefix="/console")
blueprint.after_request(secure)
PERIODS = ("7d", "30d", "90d")
_TRENDS = "wismo.trends"


def trends() -> Trends:
    """The app's trends use case, built on first use."""
    return built(_TRENDS, lambda settings: build_trends(settings, build_repository(settings)))


def _period() -> tuple[str, str | None]:
    """The period asked for, and a problem to say when it is not one offered."""
    asked = request.args.get("since", PERIODS[0])
    if asked in PERIODS:
        return asked, None
    return PERIODS[0], f"There is no period {asked[:20]!r}: showing {PERIODS[0]}."


def _report(since: str) -> Report:
    return trends().last(parse_period(since))


@blueprint.get("/trends")
@signed_in(Role.LEAD)
def overview() -> Response:
    """Every figure of the period: a table each, and its chart."""
    since, problem = _period()
    found = _report(since)
    return page(
        "trends.html",
        tables=tables(found),
        report=found,
        since=since,
        periods=PERIODS,
        problem=problem,
        charts=set(CHARTS),
    )


@blueprint.get("/trends/<figure>.png")
@signed_in(Role.LEAD)
def chart(figure: str) -> Response:
    """One figure's chart of the period, as PNG."""
    if figure not in CHARTS:
        abort(404)
    since, _ = _period()
    return Response(png(figure, _report(since)), mimetype="image/png")
