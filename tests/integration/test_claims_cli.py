"""`wismo claims`, the team's queue of claims, as a real process on a SQLite file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from bot.adapters.db.claims import SqlClaimStore
from bot.adapters.db.engine import make_engine
from bot.domain.claims import ClaimState, ClaimType, Remedy
from tests.integration.test_claims_store import claim
from tests.integration.test_import_cli import VALID, wismo
from tests.unit.builders import NOW


def filed(url: str) -> Engine:
    """The small fixture's orders, with three claims on them in three states."""
    assert wismo(url, "import", VALID).returncode == 0
    engine = make_engine(url)
    store = SqlClaimStore.on(engine)
    store.add(claim("CL-AAAAAA", follow_up_on=date(2026, 11, 27)))
    store.add(
        claim(
            "CL-BBBBBB",
            tracking_number="9400111899223197428490",
            order_number="WM-104240",
            type=ClaimType.DAMAGED,
            state=ClaimState.NEEDS_PERSON,
            remedy=Remedy.REFUND_ORDER,
            amount=Decimal("249.95"),
            currency="USD",
            follow_up_on=date(2026, 11, 23),
        )
    )
    done = claim("CL-CCCCCC", order_number="WM-104260", tracking_number="JD014600006281230704")
    store.add(replace(done, opened_at=NOW - timedelta(days=30)))
    store.update("CL-CCCCCC", ClaimState.CLOSED, Remedy.RESHIP, NOW)
    return engine


def test_the_team_sees_open_claims_soonest_follow_up_first_and_who_waits_for_a_person(
    sqlite_url: str,
) -> None:
    filed(sqlite_url).dispose()
    done = wismo(sqlite_url, "claims")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "2 open claim(s), 1 waiting for a person's decision"
    assert lines[1].startswith("* CL-BBBBBB  WM-104240  9400111899223197428490  damaged  ")
    assert "refund_order  $249.95  needs_person  " in lines[1]
    assert lines[1].endswith("follow up by 2026-11-23")
    assert lines[2].startswith("  CL-AAAAAA  WM-104233  1Z999AA10123456784  lost  none_yet  -")
    assert len(lines) == 3  # the closed claim is not in the queue
    assert "@" not in done.stdout  # no email of the shopper


def test_a_bad_limit_gets_one_line_and_an_empty_queue_says_so(sqlite_url: str) -> None:
    bad = wismo(sqlite_url, "claims", "--limit", "0")
    assert (bad.returncode, bad.stderr.strip()) == (2, "wismo claims: --limit must be 1 or more")
    empty = wismo(sqlite_url, "claims")
    assert (empty.returncode, empty.stdout) == (
        0,
        "0 open claim(s), 0 waiting for a person's decision\n",
    )
