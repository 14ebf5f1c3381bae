"""The support leads' pages (agents get 403).

GET /console/team    the last week's hand-offs: by state and by why they happened
"""

from __future__ import annotations

from flask import Blueprint, Response

from bot.domain.accounts import Role
from bot.domain.tickets import TicketState, Trigger
from bot.web.console import page, secure, services, signed_in

blueprint = Blueprint("leads", __name__, url_prefix="/console")
blueprint.after_request(secure)
DAYS = 7


@blueprint.get("/team")
@signed_in(Role.LEAD)
def team() -> Response:
    """How many conversations were handed to people, why, and where they stand."""
    tally = services()[1].tally(DAYS)
    rows = [
        {
            "trigger": trigger.value,
            **{state.value: tally.get((state.value, trigger.value), 0) for state in TicketState},
        }
        for trigger in Trigger
    ]
    totals = {state.value: sum(r[state.value] for r in rows) for state in TicketState}  # type: ignore[misc]
    return page(
        "team.html", rows=rows, totals=totals, days=DAYS, states=[s.value for s in TicketState]
    )
