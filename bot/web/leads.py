"""The support leads' pages (an agent gets 403).

    GET  /console/team                          the last week's hand-offs, by why and state
    GET  /console/conversations                 conversations, filtered (query below)
    GET  /console/conversations.csv | .jsonl    the same, exported, masked
    GET  /console/conversations/<key>           a transcript, masked
    POST /console/conversations/<key>/reveal    the same unmasked; the reveal is recorded

Filters (query): since, until (YYYY-MM-DD, the store's zone), channel, intent, outcome
(resolved, handed_off, abandoned), order (an order number), nps (answered, promoter,
passive, detractor). A bad value is said on the page and ignored, never a 500.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, g, request

from bot.bootstrap import build_leads, build_repository
from bot.domain.accounts import Role
from bot.domain.leads import ConversationFilter, Listed, NpsBand, Outcome
from bot.domain.tickets import TicketState, Trigger
from bot.services.leads import Entry, Leads
from bot.web.console import page, secure, services, signed_in
from bot.web.context import built, settings_of

blueprint = Blueprint("leads", __name__, url_prefix="/console")
blueprint.after_request(secure)
DAYS = 7
PAGE_SIZE = 100
_LEADS = "wismo.leads"


def leads() -> Leads:
    """The app's leads use cases, built on first use."""
    return built(_LEADS, lambda settings: build_leads(settings, build_repository(settings)))


@blueprint.get("/team")
@signed_in(Role.LEAD)
def team() -> Response:
    """How many conversations were handed to people, why, and where they stand."""
    tally = services()[1].tally(DAYS)
    states = [state.value for state in TicketState]
    rows: list[dict[str, Any]] = [
        {"trigger": trigger.value, **{s: tally.get((s, trigger.value), 0) for s in states}}
        for trigger in Trigger
    ]
    totals = {s: sum(int(row[s]) for row in rows) for s in states}
    return page("team.html", rows=rows, totals=totals, days=DAYS, states=states)


@blueprint.get("/conversations")
@signed_in(Role.LEAD)
def conversations() -> Response:
    """The conversations the filters select, latest first, masked."""
    wanted, problems = read_filter(request.args)
    offset = _int(request.args.get("page"), 0) * PAGE_SIZE
    found = leads().conversations(wanted, PAGE_SIZE + 1, offset)
    zone = store_zone()
    return page(
        "conversations.html",
        rows=[listed_json(c, zone) for c in found[:PAGE_SIZE]],
        more=len(found) > PAGE_SIZE,
        page_number=offset // PAGE_SIZE,
        args=request.args,
        problems=problems,
        outcomes=[o.value for o in Outcome],
        bands=[b.value for b in NpsBand],
        query=request.query_string.decode(),
    )


@blueprint.get("/conversations/<int:key>")
@signed_in(Role.LEAD)
def transcript(key: int) -> Response:
    """A conversation's transcript, masked."""
    return _transcript(key, reveal=False)


@blueprint.post("/conversations/<int:key>/reveal")
@signed_in(Role.LEAD)
def reveal(key: int) -> Response:
    """The same transcript unmasked, for this lead; recorded with who and when."""
    return _transcript(key, reveal=True)


def _transcript(key: int, reveal: bool) -> Response:
    found = leads().transcript(key, g.account if reveal else None)
    if found is None:
        return page("message.html", 404, text="There is no such conversation.")
    zone = store_zone()
    return page(
        "transcript.html",
        t=found,
        row=listed_json(found.listed, zone),
        entries=[entry_json(e, zone) for e in found.entries],
        reveals=[(who, when.astimezone(zone)) for who, when in found.reveals],
    )


@blueprint.get("/conversations.csv")
@signed_in(Role.LEAD)
def export_csv() -> Response:
    """The filtered conversations as CSV, one row each, masked."""
    wanted, _ = read_filter(request.args)
    found, zone = leads().export(wanted), store_zone()

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for listed, entries in found:
            row = listed_json(listed, zone)
            writer.writerow([row[c] if c != "lines" else len(entries) for c in CSV_COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return _download(rows(), "text/csv", "conversations.csv")


@blueprint.get("/conversations.jsonl")
@signed_in(Role.LEAD)
def export_jsonl() -> Response:
    """The filtered conversations as JSON lines, each with its transcript, masked."""
    wanted, _ = read_filter(request.args)
    found, zone = leads().export(wanted), store_zone()

    def lines() -> Iterator[str]:
        for listed, entries in found:
            record = {**listed_json(listed, zone), "lines": [entry_json(e, zone) for e in entries]}
            yield json.dumps(record, ensure_ascii=False) + "\n"

    return _download(lines(), "application/x-ndjson", "conversations.jsonl")


CSV_COLUMNS = (
    "started_at",
    "channel",
    "conversation",
    "outcome",
    "intents",
    "order_numbers",
    "ticket",
    "nps_score",
    "nps_reason",
    "user_messages",
    "lines",
)


def _download(body: Iterator[str], mimetype: str, name: str) -> Response:
    answer = Response(body, mimetype=mimetype)
    answer.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return answer


def read_filter(args: Any) -> tuple[ConversationFilter, list[str]]:
    """The filter a query asks for, and what of it could not be read."""
    problems: list[str] = []
    zone = store_zone()
    since = _day(args.get("since"), zone, "since", problems)
    until = _day(args.get("until"), zone, "until", problems)
    outcome = _choice(args.get("outcome"), Outcome, "outcome", problems)
    band = _choice(args.get("nps"), NpsBand, "nps", problems)
    wanted = ConversationFilter(
        since=since,
        until=until + timedelta(days=1) if until else None,
        channel=(args.get("channel") or "").strip() or None,
        intent=(args.get("intent") or "").strip() or None,
        outcome=cast(Outcome | None, outcome),
        order_number=(args.get("order") or "").strip().upper() or None,
        nps=cast(NpsBand | None, band),
    )
    return wanted, problems


def _day(value: str | None, zone: ZoneInfo, name: str, problems: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(), zone)
    except ValueError:
        problems.append(f"{name}: {value!r} is not a date like 2026-11-20 (ignored)")
        return None


def _choice(value: str | None, kind: Any, name: str, problems: list[str]) -> Any:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in kind)
        problems.append(f"{name}: {value!r} is not one of {allowed} (ignored)")
        return None


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default


def store_zone() -> ZoneInfo:
    """The store's zone: the filters' days are its days, and the pages show its times."""
    return ZoneInfo(settings_of().store_timezone)


def listed_json(listed: Listed, zone: ZoneInfo) -> dict[str, Any]:
    """What the pages and exports show of a conversation (already masked)."""
    return {
        "key": listed.key,
        "conversation": listed.conversation,
        "channel": listed.channel or "",
        "started_at": listed.started_at.astimezone(zone).isoformat(timespec="seconds"),
        "last_event_at": listed.last_event_at.astimezone(zone).isoformat(timespec="seconds"),
        "user_messages": listed.user_messages,
        "intents": " ".join(listed.intents),
        "order_numbers": " ".join(listed.order_numbers),
        "outcome": listed.outcome.value,
        "ticket": listed.ticket or "",
        "nps_score": "" if listed.nps_score is None else listed.nps_score,
        "nps_reason": listed.nps_reason or "",
    }


def entry_json(entry: Entry, zone: ZoneInfo) -> dict[str, Any]:
    """A transcript line for the page and the JSONL export."""
    return {
        "who": entry.who,
        "text": entry.text,
        "at": entry.at.astimezone(zone).isoformat(timespec="seconds"),
        "detail": entry.detail or "",
    }
