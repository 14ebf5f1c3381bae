"""The trends of conversations driven through the whole stack: `wismo report` counts them.

Shoppers talk to the trained model over REST (the `stack` fixture runs every Procfile
process, the event consumer too); once their conversations reach the conversation log,
`wismo report --since 1d` runs against the stack's database. Other tests share the
stack, so the report is read before and after, and the differences are what was driven:
three status answers that resolved (two on time, one late for the weather), and one
answered on time and then handed to a person. The console's page shows the same.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select

from bot.adapters.db.models import ConversationRow
from tests.conversations.test_console_handoff import csrf_of
from tests.conversations.test_journeys import verified
from tests.support.chat import Chat
from tests.support.stack import ROOT, Stack

pytestmark = pytest.mark.conversation
WISMO = ROOT / ".venv" / "bin" / "wismo"
LOG_TIMEOUT_S = 60.0


def report(stack: Stack, out: Path) -> str:
    done = subprocess.run(
        [str(WISMO), "report", "--since", "1d", "--out", str(out)],
        env=stack.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def section(printed: str, title: str) -> list[str]:
    """The lines of one printed table, its title first."""
    blocks = printed.split("\n\n")
    return next(b for b in blocks if b.startswith(title)).splitlines()


def figures(printed: str) -> dict[str, int]:
    """The counts the test compares: outcomes, REST conversations, preventable ones."""
    outcomes = [line.split() for line in section(printed, "Containment")[2:]]
    volume = section(printed, "WISMO conversations")
    rest = volume[1].split().index("rest") if "rest" in volume[1].split() else None
    prevent = section(printed, "Preventable WISMO")[2].split()
    return {
        "resolved": sum(int(row[1]) for row in outcomes),
        "handed_off": sum(int(row[2]) for row in outcomes),
        "abandoned": sum(int(row[3]) for row in outcomes),
        "rest": sum(int(row.split()[rest]) for row in volume[2:]) if rest is not None else 0,
        "preventable": int(prevent[0]),
        "wismo": int(prevent[1]),
    }


def wait_for_log(stack: Stack, expected: dict[str, int]) -> None:
    """Until every conversation is in the log, answered, with all its shopper's messages."""
    engine = create_engine(stack.env["DATABASE_URL"])
    deadline = time.monotonic() + LOG_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                rows = connection.execute(
                    select(ConversationRow.conversation, ConversationRow.user_messages)
                    .where(ConversationRow.conversation.in_(expected))
                    .where(ConversationRow.answered.is_(True))
                ).all()
            if {name: n for name, n in rows} == expected:
                return
            time.sleep(0.5)
    finally:
        engine.dispose()
    raise AssertionError(f"the conversation log never had {expected}")


def test_the_report_counts_the_conversations_driven(stack: Stack, tmp_path: Path) -> None:
    before = figures(report(stack, tmp_path / "before"))
    expected = {}
    for scenario, opener in (
        ("in_transit", "where is my order?"),
        ("out_for_delivery", "where is my package"),
        ("late_weather", "my order is late, it was supposed to come days ago"),
    ):
        chat = Chat(stack.rest_url)
        verified(chat, scenario, opener)
        expected[chat.sender] = 3
    handed = Chat(stack.rest_url)
    verified(handed, "in_transit")
    assert "queue" in handed.say("talk to a person")
    expected[handed.sender] = 4
    wait_for_log(stack, expected)

    printed = report(stack, tmp_path / "after")
    after = figures(printed)
    change = {key: after[key] - before[key] for key in after}
    assert change == {
        "resolved": 3,
        "handed_off": 1,
        "abandoned": 0,
        "rest": 4,
        "preventable": 3,  # every parcel told was on time, in all but the late one
        "wismo": 4,
    }, printed
    # The late parcel's cause, by its carrier (other tests may have told of it too).
    assert re.search(r"^ups\s+weather delay\s+\d+$", printed, re.MULTILINE), printed
    assert sorted(p.name for p in (tmp_path / "after").iterdir()) == sorted(
        f"{name}.png"
        for name in (
            "volume",
            "containment",
            "reasons",
            "nps",
            "delays",
            "claims",
            "preventable",
            "accuracy",
        )
    )


def test_a_bad_since_says_what_it_expects(stack: Stack, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(WISMO), "report", "--since", "a week"],
        env=stack.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "like 7d or 12h" in done.stderr


def logged_in(stack: Stack, username: str, password: str) -> requests.Session:
    http = requests.Session()
    form = http.get(f"{stack.web_url}/console/login", timeout=10)
    answer = http.post(
        f"{stack.web_url}/console/login",
        data={"csrf": csrf_of(form.text), "username": username, "password": password},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return http


def test_the_trends_page_shows_leads_the_figures_and_their_charts(stack: Stack) -> None:
    lead = logged_in(stack, "lee", "woodland-lead-demo")
    page = lead.get(f"{stack.web_url}/console/trends?since=30d", timeout=60)
    assert page.status_code == 200
    assert "Containment:" in page.text and "Preventable WISMO" in page.text
    assert 'src="/console/trends/containment.png?since=30d"' in page.text
    chart = lead.get(f"{stack.web_url}/console/trends/containment.png?since=30d", timeout=60)
    assert chart.status_code == 200 and chart.headers["Content-Type"] == "image/png"
    assert chart.content.startswith(b"\x89PNG")
    assert lead.get(f"{stack.web_url}/console/trends/nothing.png", timeout=10).status_code == 404
    odd = lead.get(f"{stack.web_url}/console/trends?since=1y", timeout=60)
    assert odd.status_code == 200 and "There is no period" in odd.text


def test_an_agent_may_not_see_the_trends(stack: Stack) -> None:
    agent = logged_in(stack, "ana", "woodland-agent-demo")
    assert agent.get(f"{stack.web_url}/console/trends", timeout=10).status_code == 403
    assert agent.get(f"{stack.web_url}/console/trends/nps.png", timeout=10).status_code == 403
