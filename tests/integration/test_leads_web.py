"""The leads' conversation pages as a lead uses them: `wismo web` as a real process on a
SQLite file with the demo orders and accounts (`wismo demo --load`), and conversations
written into the log as the event consumer writes them (SqlConversationLog.store)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, text

from bot.adapters.db.conversations import SqlConversationLog
from bot.adapters.db.engine import make_engine
from bot.adapters.db.surveys import SqlSurveyStore
from bot.adapters.db.tickets import SqlTicketStore
from bot.domain.conversations import ConversationEvent, Entity, EventBatch
from bot.domain.nps import Survey
from bot.domain.tickets import Ticket, Trigger
from tests.support.stack import ROOT, free_port, serving

WISMO = ROOT / ".venv" / "bin" / "wismo"
SECRET = "leads-web-test-secret"  # noqa: S105 (the test deployment's, made up)
LEE, LEE_PASSWORD = "lee", "woodland-lead-demo"  # the demo's lead and agent
ANA, ANA_PASSWORD = "ana", "woodland-agent-demo"
CSRF_META = re.compile(r'<meta name="csrf" content="([^"]*)">')
ROW_LINK = re.compile(r'href="/console/conversations/(\d+)"')

# Three conversations, one per outcome, in the store's zone (New York) on different days.
SMS = "sms:+14155550134"  # Jane Doe's order WM-104233: answered, then a promoter's NPS
WIDGET = "widget-7f3a9c"  # Noah Williams' order WM-104240: handed to Ana (a ticket)
REST = "shopper-5d1e0b"  # nobody's order: gave up; a detractor's NPS (the widget's: passive)
TICKET = "HD-LEADS2"
# What must never show masked: the seeded orders' customers and addresses, the SMS phone.
PERSONAL = (
    "Jane Doe",
    "Jane",
    "Doe",
    "jane.doe@example.com",
    "+14155550134",
    "4155550134",
    "500 Terry Francois St",
    "Terry Francois",
    "Noah Williams",
    "Noah",
    "Williams",
    "noah.williams@example.com",
    "+18015550177",
    "480 E 900 S",
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def events() -> list[ConversationEvent]:
    """The three conversations' events, shaped as the consumer parses Rasa's."""
    n = iter(range(1, 1000))

    def ev(conversation: str, kind: str, when: datetime, **values: Any) -> ConversationEvent:
        return replace(ConversationEvent(next(n), conversation, kind, when), **values)

    sms = at(10, 16)  # 11:00 in New York, November 10
    widget = at(12, 2, 30)  # 21:30 in New York on November 11, though November 12 in UTC
    rest = at(15, 17)
    return [
        ev(SMS, "action", sms, action="action_session_start"),
        ev(SMS, "session_started", sms),
        ev(SMS, "action", sms, action="action_listen"),
        ev(
            SMS,
            "user",
            sms + timedelta(seconds=1),
            intent="order_status",
            confidence=0.98,
            text="hi it's Jane Doe, where is WM-104233?",
            input_channel="twilio",
            entities=(Entity("order_number", "WM-104233"),),
            orders=("WM-104233",),
        ),
        ev(SMS, "action", sms + timedelta(seconds=2), action="utter_ask_proof"),
        ev(
            SMS,
            "bot",
            sms + timedelta(seconds=2),
            text="What's the email address on the order?",
            action="utter_ask_proof",
        ),
        ev(
            SMS,
            "user",
            sms + timedelta(seconds=9),
            intent="inform",
            confidence=0.91,
            text="jane.doe@example.com, or text +14155550134; I'm at 500 Terry Francois St",
            input_channel="twilio",
            entities=(Entity("email", None),),
        ),
        ev(SMS, "action", sms + timedelta(seconds=10), action="action_check_order"),
        ev(
            SMS,
            "slot",
            sms + timedelta(seconds=10),
            details={"slot": "last_order", "value": "WM-104233"},
            orders=("WM-104233",),
        ),
        ev(
            SMS,
            "bot",
            sms + timedelta(seconds=10),
            text="Thanks Jane! WM-104233 is on its way with UPS to 500 Terry Francois St.",
            action="utter_order_status",
        ),
        ev(
            WIDGET,
            "user",
            widget,
            intent="order_status",
            confidence=0.95,
            text="Noah Williams here, where's WM-104240",
            input_channel="socketio",
            entities=(Entity("order_number", "WM-104240"),),
            orders=("WM-104240",),
        ),
        ev(WIDGET, "action", widget, action="action_check_order"),
        ev(
            WIDGET,
            "slot",
            widget,
            details={"slot": "last_order", "value": "WM-104240"},
            orders=("WM-104240",),
        ),
        ev(
            WIDGET,
            "user",
            widget + timedelta(minutes=1),
            intent="human_handoff",
            confidence=1.0,
            text="/human_handoff",
            input_channel="socketio",
        ),
        ev(WIDGET, "action", widget + timedelta(minutes=1), action="action_handoff"),
        ev(
            WIDGET,
            "user",
            widget + timedelta(minutes=2),
            intent="EXTERNAL_console",
            text="EXTERNAL: EXTERNAL_console",
            input_channel="socketio",
        ),
        ev(
            WIDGET,
            "bot",
            widget + timedelta(minutes=3),
            text="Ana: Hi Noah, I'm checking WM-104240 with USPS.",
            details={"agent_name": "Ana", "agent": "ana"},
        ),
        ev(
            REST,
            "user",
            rest,
            intent="greet",
            confidence=0.99,
            text="hello?",
            input_channel="rest",
        ),
        ev(REST, "bot", rest, text="Hi! What's your order number?", action="utter_greet"),
    ]


@dataclass
class Web:
    url: str
    engine: Engine
    keys: dict[str, int]  # conversation -> the key the pages know it by


def run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [str(WISMO), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    workdir: Path = tmp_path_factory.mktemp("leads")
    env = {
        **os.environ,
        "WISMO_SECRET": SECRET,
        "RASA_TOKEN": "leads-web-test-rasa-token",
        "RASA_URL": f"http://127.0.0.1:{free_port()}",  # nobody: the leads' pages need no Rasa
        "DATABASE_URL": f"sqlite:///{workdir}/leads.db",
        "WEB_PORT": str(free_port()),
    }
    env.pop("WISMO_NOW", None)
    run(env, "demo", "--load")  # the demo orders, ana (agent) and lee (lead)
    engine = make_engine(env["DATABASE_URL"])
    stored = SqlConversationLog.on(engine).store(
        EventBatch("test-broker", tuple(events()), 999), datetime.now(UTC)
    )
    assert stored == len(events())
    SqlTicketStore.on(engine).open(
        Ticket(
            TICKET,
            Trigger.ASKED,
            "socketio",
            WIDGET,
            True,
            "status+email",
            "WM-104240",
            {"told": ["WM-104240 is out for delivery with USPS."]},
            at(12, 2, 31),
        )
    )
    surveys = SqlSurveyStore.on(engine)
    for conversation, channel, score, reason in (
        # The bands' edges: 9 is a promoter, 7 a passive, 6 a detractor.
        (SMS, "twilio", 9, "Quick! Jane Doe here, mail jane.doe@example.com anytime"),
        (WIDGET, "socketio", 7, None),
        (REST, "rest", 6, None),
    ):
        survey = surveys.add(Survey("digest", channel, conversation, None, at(16, 0)))
        assert survey.id is not None and surveys.answer_score(survey.id, score, at(16, 1))
        if reason:
            assert surveys.answer_reason(survey.id, reason)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT conversation, id FROM conversations"))
        keys = {str(name): int(key) for name, key in rows}
    url = f"http://127.0.0.1:{env['WEB_PORT']}"
    try:
        with serving([str(WISMO), "web"], env, f"{url}/healthz", workdir / "web.log", timeout=60):
            yield Web(url, engine, keys)
    finally:
        engine.dispose()


def log_in(web: Web, username: str, password: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{web.url}/console/login", timeout=10)
    found = re.search(r'<input type="hidden" name="csrf" value="([^"]*)">', form.text)
    assert found, "the login form carries no CSRF field"
    answer = browser.post(
        f"{web.url}/console/login",
        data={"username": username, "password": password, "csrf": found[1]},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303, answer.text
    return browser


@pytest.fixture(scope="module")
def lee(web: Web) -> requests.Session:
    return log_in(web, LEE, LEE_PASSWORD)


@pytest.fixture(scope="module")
def ana(web: Web) -> requests.Session:
    return log_in(web, ANA, ANA_PASSWORD)


def listed(web: Web, browser: requests.Session, **query: str) -> set[str]:
    """The conversations the list shows for a query (by their sender ids)."""
    page = browser.get(f"{web.url}/console/conversations", params=query, timeout=10)
    assert page.status_code == 200, page.text
    by_key = {key: name for name, key in web.keys.items()}
    return {by_key[int(key)] for key in ROW_LINK.findall(page.text)}


def transcript(web: Web, browser: requests.Session, conversation: str) -> requests.Response:
    return browser.get(f"{web.url}/console/conversations/{web.keys[conversation]}", timeout=10)


def reveal(
    web: Web, browser: requests.Session, conversation: str, csrf: bool = True
) -> requests.Response:
    page = transcript(web, browser, conversation)
    found = CSRF_META.search(page.text)
    assert found and found[1], "the page carries no CSRF token"
    return browser.post(
        f"{web.url}/console/conversations/{web.keys[conversation]}/reveal",
        data={"csrf": found[1]} if csrf else {},
        allow_redirects=False,
        timeout=10,
    )


def reveals_of(web: Web, conversation: str) -> list[tuple[str, str]]:
    with web.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT username, at FROM reveals WHERE conversation = :c"), {"c": conversation}
        )
        return [(str(who), str(when)) for who, when in rows]


def leaks(body: str) -> list[str]:
    return [p for p in PERSONAL if p.lower() in body.lower()]


# Filters


def test_every_conversation_is_listed_without_a_filter(web: Web, lee: requests.Session) -> None:
    assert listed(web, lee) == {SMS, WIDGET, REST}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"since": "2026-11-11", "until": "2026-11-11"}, {WIDGET}),  # its day in New York
        ({"since": "2026-11-12"}, {REST}),
        ({"until": "2026-11-10"}, {SMS}),
        ({"channel": "twilio"}, {SMS}),
        ({"channel": "socketio"}, {WIDGET}),
        ({"intent": "human_handoff"}, {WIDGET}),
        ({"intent": "order_status"}, {SMS, WIDGET}),
        ({"outcome": "resolved"}, {SMS}),
        ({"outcome": "handed_off"}, {WIDGET}),
        ({"outcome": "abandoned"}, {REST}),
        ({"order": "WM-104233"}, {SMS}),
        ({"order": "wm-104240"}, {WIDGET}),
        ({"nps": "promoter"}, {SMS}),
        ({"nps": "detractor"}, {REST}),
        ({"nps": "passive"}, {WIDGET}),
        ({"nps": "answered"}, {SMS, WIDGET, REST}),
        ({"outcome": "resolved", "order": "WM-104240"}, set()),
    ],
)
def test_each_filter_selects_exactly_its_conversations(
    web: Web, lee: requests.Session, query: dict[str, str], expected: set[str]
) -> None:
    assert listed(web, lee, **query) == expected


def test_times_show_in_the_stores_zone_the_days_of_the_filter_are_its_days(
    web: Web, lee: requests.Session
) -> None:
    query = {"since": "2026-11-11", "until": "2026-11-11"}
    page = lee.get(f"{web.url}/console/conversations", params=query, timeout=10)
    assert ">2026-11-11T21:30:00-05:00</a>" in page.text  # 02:30 UTC on November 12
    exported = lee.get(f"{web.url}/console/conversations.csv", params=query, timeout=10)
    [row] = list(csv.DictReader(io.StringIO(exported.text)))
    assert row["started_at"] == "2026-11-11T21:30:00-05:00"


def test_a_bad_filter_value_is_said_on_the_page_and_ignored(
    web: Web, lee: requests.Session
) -> None:
    query = {"since": "yesterday", "outcome": "happy", "nps": "11", "channel": "twilio"}
    page = lee.get(f"{web.url}/console/conversations", params=query, timeout=10)
    assert page.status_code == 200
    assert "since: &#39;yesterday&#39; is not a date like 2026-11-20 (ignored)" in page.text
    assert "outcome: &#39;happy&#39; is not one of resolved, handed_off, abandoned" in page.text
    assert "nps: &#39;11&#39; is not one of" in page.text
    assert listed(web, lee, **query) == {SMS}  # the good value still filters


# Masked by default


def test_the_list_shows_no_name_email_phone_street_or_sender_phone(
    web: Web, lee: requests.Session
) -> None:
    page = lee.get(f"{web.url}/console/conversations", timeout=10)
    assert leaks(page.text) == []
    assert "handed off (HD-LEADS2)" in page.text


def test_the_transcript_is_masked_and_shows_what_the_assistant_did_beside_the_words(
    web: Web, lee: requests.Session
) -> None:
    sms = transcript(web, lee, SMS)
    assert sms.status_code == 200 and leaks(sms.text) == []
    assert "hi it&#39;s &lt;name&gt;, where is WM-104233?" in sms.text
    assert "&lt;email&gt;, or text &lt;phone&gt;; I&#39;m at &lt;street&gt;" in sms.text
    assert '<span class="text">action_check_order</span>' in sms.text
    assert '<span class="detail">utter_order_status</span>' in sms.text
    assert "order_status 0.98" in sms.text  # the intent the policy read, beside the line
    assert "action_listen" not in sms.text
    assert "Quick! &lt;name&gt; here, mail &lt;email&gt; anytime" in sms.text  # the NPS reason

    widget = transcript(web, lee, WIDGET)
    assert leaks(widget.text) == []
    assert "HD-LEADS2 · asked · open" in widget.text  # the hand-off: reference, trigger
    assert "(tapped: human_handoff)" in widget.text
    assert "triggered: EXTERNAL_console" in widget.text
    assert re.search(r'class="line agent">.*Ana: Hi &lt;name&gt;, I&#39;m checking', widget.text)


def test_an_unknown_conversation_is_404(web: Web, lee: requests.Session) -> None:
    assert lee.get(f"{web.url}/console/conversations/99999", timeout=10).status_code == 404


# Revealing


def test_a_reveal_shows_the_email_and_is_recorded_with_who_and_when(
    web: Web, lee: requests.Session
) -> None:
    before = len(reveals_of(web, SMS))
    answer = reveal(web, lee, SMS)
    assert answer.status_code == 200
    assert "jane.doe@example.com, or text +14155550134" in answer.text
    assert "This reveal is recorded with your name." in answer.text
    assert re.search(r"Revealed by lee at \d{4}-\d\d-\d\dT\d\d:\d\d", answer.text)
    recorded = reveals_of(web, SMS)
    assert len(recorded) == before + 1 and recorded[-1][0] == LEE
    again = transcript(web, lee, SMS)  # masked again, the reveal listed
    assert leaks(again.text) == [] and "Revealed by lee at " in again.text


def test_a_reveal_without_the_csrf_token_is_403_and_reveals_nothing(
    web: Web, lee: requests.Session
) -> None:
    before = reveals_of(web, REST)
    answer = reveal(web, lee, REST, csrf=False)
    assert answer.status_code == 403 and "Reload the page" in answer.text
    assert reveals_of(web, REST) == before


# Exports


def test_the_csv_has_a_header_and_one_masked_row_per_conversation(
    web: Web, lee: requests.Session
) -> None:
    answer = lee.get(f"{web.url}/console/conversations.csv", timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    assert leaks(answer.text) == []
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert sorted(r["outcome"] for r in rows) == ["abandoned", "handed_off", "resolved"]
    sms = next(r for r in rows if r["outcome"] == "resolved")
    assert sms["conversation"] == "sms:<phone>" and sms["nps_score"] == "9"
    assert sms["order_numbers"] == "WM-104233" and sms["ticket"] == ""
    filtered = lee.get(f"{web.url}/console/conversations.csv?outcome=handed_off", timeout=10)
    [handed] = list(csv.DictReader(io.StringIO(filtered.text)))
    assert handed["ticket"] == TICKET


def test_the_jsonl_has_one_object_per_conversation_with_its_masked_lines(
    web: Web, lee: requests.Session
) -> None:
    answer = lee.get(f"{web.url}/console/conversations.jsonl", timeout=10)
    assert answer.status_code == 200 and leaks(answer.text) == []
    records = [json.loads(line) for line in answer.text.splitlines()]
    assert {r["conversation"] for r in records} == {"sms:<phone>", WIDGET, REST}
    sms = next(r for r in records if r["outcome"] == "resolved")
    said = [line["text"] for line in sms["lines"] if line["who"] == "shopper"]
    assert said == [
        "hi it's <name>, where is WM-104233?",
        "<email>, or text <phone>; I'm at <street>",
    ]


# Who may open them


@pytest.mark.parametrize(
    "path",
    ["/console/conversations", "/console/conversations.csv", "/console/conversations.jsonl"],
)
def test_an_agent_gets_403_on_the_lists_and_exports(
    web: Web, ana: requests.Session, path: str
) -> None:
    answer = ana.get(f"{web.url}{path}", timeout=10)
    assert answer.status_code == 403 and leaks(answer.text) == []


def test_an_agent_gets_403_on_a_transcript_and_its_reveal(web: Web, ana: requests.Session) -> None:
    before = reveals_of(web, SMS)
    assert transcript(web, ana, SMS).status_code == 403
    token = CSRF_META.search(ana.get(f"{web.url}/console", timeout=10).text)
    assert token and token[1]
    answer = ana.post(
        f"{web.url}/console/conversations/{web.keys[SMS]}/reveal",
        data={"csrf": token[1]},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 403 and leaks(answer.text) == []
    assert reveals_of(web, SMS) == before


@pytest.mark.parametrize(
    "path",
    [
        "/console/conversations",
        "/console/conversations.csv",
        "/console/conversations.jsonl",
        "/console/conversations/{key}",
    ],
)
def test_logged_out_the_pages_and_exports_send_to_the_login_page(web: Web, path: str) -> None:
    answer = requests.get(
        f"{web.url}{path.format(key=web.keys[SMS])}", allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]


def test_logged_out_a_reveal_is_401_and_recorded_nowhere(web: Web) -> None:
    before = reveals_of(web, SMS)
    answer = requests.post(f"{web.url}/console/conversations/{web.keys[SMS]}/reveal", timeout=10)
    assert answer.status_code == 401 and leaks(answer.text) == []
    assert reveals_of(web, SMS) == before
