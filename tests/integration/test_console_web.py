"""The agent console as people use it: `wismo web` as a real process on its own SQLite
file, accounts made with `wismo user add`, and a stand-in Rasa served over HTTP that
records what the console asked of the shopper's conversation."""

from __future__ import annotations

import http.server
import json
import os
import re
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests

from bot.adapters.db.engine import make_engine
from bot.adapters.db.tickets import SqlTicketStore
from bot.adapters.rasa_conversations import read_console_token
from bot.channels.redaction import redact
from bot.domain.tickets import Ticket, TicketOutcome, TicketState, Trigger, last_lines
from tests.support.stack import ROOT, free_port, serving

WISMO = ROOT / ".venv" / "bin" / "wismo"
SECRET = "console-web-test-secret"  # noqa: S105 (the test deployment's, made up)
RASA_TOKEN = "console-web-test-rasa-token"  # noqa: S105
PASSWORDS = {
    "ana": "ana-long-password-1",
    "ben": "ben-long-password-2",
    "lee": "lee-long-password-3",
    "max": "max-long-password-4",
}
PEOPLE = (("ana", "Ana", "agent"), ("ben", "Ben", "agent"), ("lee", "Lee", "lead"))
SHOPPER_EMAIL = "jane.doe@example.com"
SHOPPER_PHONE = "+14155550134"
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrf" value="([^"]*)">')
CSRF_META = re.compile(r'<meta name="csrf" content="([^"]*)">')


@dataclass
class FakeRasa:
    """Rasa's conversation API as the console calls it: records each call; serves trackers."""

    url: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)
    trackers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fail_with: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        parsed = urlparse(path)
        if parsed.path == "/":  # the web process's health probe
            return 200, "Hello from Rasa: 3.6.21"
        # As Rasa's Sanic reads the path: not percent-decoded.
        _, _, conversation, endpoint = parsed.path.split("/", 3)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        with self.lock:
            self.calls.append(
                {
                    "method": method,
                    "conversation": conversation,
                    "endpoint": endpoint,
                    "query": query,
                    "body": body,
                }
            )
        if self.fail_with:
            return self.fail_with, {"status": "failure"}
        if query.get("token") != RASA_TOKEN:
            return 401, {"status": "failure", "reason": "NotAuthenticated"}
        if method == "GET" and endpoint == "tracker":
            return 200, {"sender_id": conversation, "events": self.trackers.get(conversation, [])}
        return 200, {"sender_id": conversation, "events": []}

    def of(self, conversation: str) -> list[dict[str, Any]]:
        """The calls about one conversation that change it (not transcript reads)."""
        with self.lock:
            return [
                c for c in self.calls if c["conversation"] == conversation and c["method"] == "POST"
            ]


@dataclass
class Console:
    url: str
    db_url: str
    rasa: FakeRasa
    env: dict[str, str]
    workdir: Path
    tickets: SqlTicketStore


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length) if length else b""
            status, body = fake.handle(method, self.path, json.loads(raw) if raw else None)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield fake
    server.shutdown()
    server.server_close()


def user_add(env: dict[str, str], *args: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WISMO), "user", "add", *args, "--password-stdin"],
        input=password + "\n",
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def web_env(workdir: Path, rasa: FakeRasa, **overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "WISMO_SECRET": SECRET,
        "RASA_TOKEN": RASA_TOKEN,
        "RASA_URL": rasa.url,
        "DATABASE_URL": f"sqlite:///{workdir}/console.db",
        "WEB_PORT": str(free_port()),
        **overrides,
    }


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, rasa: FakeRasa) -> Iterator[Console]:
    workdir = tmp_path_factory.mktemp("console")
    env = web_env(workdir, rasa)
    for username, name, role in (*PEOPLE, ("max", "Max", "agent")):
        done = user_add(env, username, "--name", name, "--role", role, password=PASSWORDS[username])
        assert done.returncode == 0, done.stderr
    url = f"http://127.0.0.1:{env['WEB_PORT']}"
    engine = make_engine(env["DATABASE_URL"])
    try:
        with serving([str(WISMO), "web"], env, f"{url}/healthz", workdir / "web.log", timeout=60):
            yield Console(url, env["DATABASE_URL"], rasa, env, workdir, SqlTicketStore.on(engine))
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def rasa_answers(rasa: FakeRasa) -> None:
    rasa.fail_with = None


def open_ticket(
    console: Console,
    told: str = "Your parcel is in transit with UPS.",
    trigger: Trigger = Trigger.ASKED,
) -> Ticket:
    """A ticket as a hand-off keeps it, on a phone conversation of its own."""
    reference = "HD-" + "".join(secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(6))
    packet = {
        "told": last_lines(
            [f"We'll write to {SHOPPER_EMAIL} or call {SHOPPER_PHONE}.", told], redact
        ),
        "order_status": "fulfilled",
        "shipments": [
            {
                "tracking_number": "1Z999AA10123456784",
                "carrier": "UPS",
                "verdict": "late",
                "status": "in_transit",
                "estimate": "2026-11-21",
            }
        ],
    }
    ticket = Ticket(
        reference,
        trigger,
        "twilio",
        f"sms:{SHOPPER_PHONE}-{reference}",
        True,
        "status+channel_phone",
        "WM-104233",
        packet,
        datetime.now(UTC) - timedelta(minutes=3),
    )
    return console.tickets.open(ticket)


def stored(console: Console, reference: str) -> Ticket:
    found = console.tickets.by_reference(reference)
    assert found is not None
    return found


def login_csrf(form: requests.Response) -> str:
    """The login form's CSRF value (its double-submit cookie's twin)."""
    found = CSRF_INPUT.search(form.text)
    assert found, "the login form carries no CSRF field"
    return found[1]


def csrf_of(page: requests.Response) -> str:
    found = CSRF_META.search(page.text)
    assert found and found.group(1), "the page carries no CSRF token"
    return found.group(1)


def log_in(console: Console, username: str, password: str | None = None) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{console.url}/console/login", timeout=10)
    answer = browser.post(
        f"{console.url}/console/login",
        data={
            "username": username,
            "password": password or PASSWORDS[username],
            "csrf": login_csrf(form),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303, answer.text
    return browser


def post(
    console: Console, browser: requests.Session, path: str, **kwargs: Any
) -> requests.Response:
    """A console form POST with the session's CSRF token, as the page's form sends it."""
    token = csrf_of(browser.get(f"{console.url}/console", timeout=10))
    data = {"csrf": token, **kwargs.pop("data", {})}
    return browser.post(
        f"{console.url}{path}", data=data, allow_redirects=False, timeout=10, **kwargs
    )


def take(console: Console, browser: requests.Session, reference: str) -> requests.Response:
    return post(console, browser, f"/console/tickets/{reference}/take")


def reply(
    console: Console, browser: requests.Session, reference: str, text: str, csrf: bool = True
) -> requests.Response:
    headers = {}
    if csrf:
        headers["X-CSRF-Token"] = csrf_of(browser.get(f"{console.url}/console", timeout=10))
    return browser.post(
        f"{console.url}/console/tickets/{reference}/reply",
        json={"text": text},
        headers=headers,
        timeout=10,
    )


# Logging in


def test_the_right_password_opens_the_queue(console: Console) -> None:
    browser = log_in(console, "ana")
    page = browser.get(f"{console.url}/console", allow_redirects=False, timeout=10)
    assert page.status_code == 200
    assert "Ana (agent)" in page.text and "Waiting for a person" in page.text


def try_login(url: str, username: str, password: str, browser_address: str) -> int:
    """A login's status, the request saying (X-Forwarded-For) it comes from that address."""
    browser = requests.Session()
    browser.headers["X-Forwarded-For"] = browser_address
    form = browser.get(f"{url}/console/login", timeout=10)
    data = {"username": username, "password": password, "csrf": login_csrf(form)}
    answer = browser.post(f"{url}/console/login", data=data, allow_redirects=False, timeout=10)
    return answer.status_code


@pytest.mark.parametrize("behind_a_proxy", [True, False], ids=["behind a proxy", "direct"])
def test_the_address_limit_counts_browsers_behind_the_trusted_proxy_and_only_there(
    tmp_path: Path, rasa: FakeRasa, behind_a_proxy: bool
) -> None:
    overrides = {"WEB_TRUSTED_PROXY": "127.0.0.1"} if behind_a_proxy else {}
    env = web_env(tmp_path, rasa, **overrides)
    done = user_add(env, "ana", "--name", "Ana", "--role", "agent", password=PASSWORDS["ana"])
    assert done.returncode == 0, done.stderr
    url = f"http://127.0.0.1:{env['WEB_PORT']}"
    with serving([str(WISMO), "web"], env, f"{url}/healthz", tmp_path / "web.log", timeout=60):
        # Someone guessing at 20 usernames from one browser: that browser waits...
        guesses = [
            try_login(url, f"guess{n}", "wrong-guess-xxxx", "198.51.100.7") for n in range(20)
        ]
        assert guesses == [401] * 20
        assert try_login(url, "ana", PASSWORDS["ana"], "198.51.100.7") == 429
        # ...and, behind the proxy, Ana at another browser logs in. Without a proxy to
        # trust, the header is anyone's to write: it changes nothing, and the limit holds.
        other = try_login(url, "ana", PASSWORDS["ana"], "203.0.113.9")
        assert other == (303 if behind_a_proxy else 429)


def test_a_wrong_password_is_401_and_opens_nothing(console: Console) -> None:
    browser = requests.Session()
    form = browser.get(f"{console.url}/console/login", timeout=10)
    answer = browser.post(
        f"{console.url}/console/login",
        data={
            "username": "ben",
            "password": "not-bens-password",
            "csrf": login_csrf(form),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 401 and "Wrong username or password." in answer.text
    queue = browser.get(f"{console.url}/console", allow_redirects=False, timeout=10)
    assert queue.status_code == 302 and "/console/login" in queue.headers["Location"]


def test_a_login_without_the_forms_csrf_is_403_even_with_the_right_password(
    console: Console,
) -> None:
    browser = requests.Session()
    browser.get(f"{console.url}/console/login", timeout=10)  # the cookie, but no form value
    answer = browser.post(
        f"{console.url}/console/login",
        data={"username": "ana", "password": PASSWORDS["ana"]},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 403
    assert "wismo_console" not in browser.cookies


def test_the_sixth_wrong_try_is_429_and_then_even_the_right_password_waits(
    console: Console,
) -> None:
    browser = requests.Session()
    statuses = []
    for n in range(6):
        form = browser.get(f"{console.url}/console/login", timeout=10)
        answer = browser.post(
            f"{console.url}/console/login",
            data={
                "username": "max",
                "password": f"guess-{n}-xxxxxx",
                "csrf": login_csrf(form),
            },
            allow_redirects=False,
            timeout=10,
        )
        statuses.append(answer.status_code)
    assert statuses == [401] * 5 + [429]
    assert "Try again in 15 minutes" in answer.text
    form = browser.get(f"{console.url}/console/login", timeout=10)
    right = browser.post(
        f"{console.url}/console/login",
        data={
            "username": "max",
            "password": PASSWORDS["max"],
            "csrf": login_csrf(form),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert right.status_code == 429


# The queue


def test_the_queue_shows_an_open_tickets_packet_and_never_the_shoppers_email_or_phone(
    console: Console,
) -> None:
    ticket = open_ticket(console, told="Your parcel WM-104233 is in transit with UPS.")
    page = log_in(console, "ana").get(f"{console.url}/console", timeout=10)
    assert ticket.reference in page.text
    assert "WM-104233" in page.text and "fulfilled" in page.text
    assert "UPS 1Z999AA10123456784: in transit" in page.text and "due 2026-11-21" in page.text
    assert "Your parcel WM-104233 is in transit with UPS." in page.text
    assert "&lt;email&gt;" in page.text  # the masked line, as the store keeps it
    assert SHOPPER_EMAIL not in page.text and SHOPPER_PHONE not in page.text
    ticket_page = log_in(console, "ana").get(
        f"{console.url}/console/tickets/{ticket.reference}", timeout=10
    )
    assert SHOPPER_EMAIL not in ticket_page.text and SHOPPER_PHONE not in ticket_page.text
    # In the team's words: the channel, and what the shopper proved.
    assert "<dt>Channel</dt><dd>SMS</dd>" in ticket_page.text
    assert (
        "yes: the order, to see it (two of its details); the phone they write from"
        in ticket_page.text
    )


# Taking


def test_taking_has_the_assistant_tell_the_shopper_on_their_channel(console: Console) -> None:
    ticket = open_ticket(console)
    browser = log_in(console, "ana")
    answer = take(console, browser, ticket.reference)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/console/tickets/{ticket.reference}")
    [call] = console.rasa.of(ticket.conversation)  # the path as sent: `:` and `+` kept
    assert call["endpoint"] == "trigger_intent"
    assert call["query"]["output_channel"] == "twilio"
    assert call["body"]["name"] == "EXTERNAL_console"
    said = read_console_token(
        SECRET.encode(), call["body"]["entities"]["console"], ticket.conversation
    )
    assert said == {"event": "joined", "reference": ticket.reference, "agent": "Ana"}
    assert stored(console, ticket.reference).agent == "ana"
    queue = browser.get(f"{console.url}/console", timeout=10)
    mine = queue.text.split('id="mine"')[1].split("</ul>")[0]
    assert ticket.reference in mine and f"Take {ticket.reference}" not in queue.text
    page = browser.get(f"{console.url}/console/tickets/{ticket.reference}", timeout=10)
    assert 'id="reply"' in page.text and "Hand back to the assistant" in page.text


def test_a_second_agents_take_is_409_and_names_who_has_it(console: Console) -> None:
    ticket = open_ticket(console)
    ana = log_in(console, "ana")
    take(console, ana, ticket.reference)
    assert take(console, ana, ticket.reference).status_code == 303  # her double click
    answer = take(console, log_in(console, "ben"), ticket.reference)
    assert answer.status_code == 409 and "Ana has this conversation." in answer.text
    assert len(console.rasa.of(ticket.conversation)) == 1
    assert stored(console, ticket.reference).agent == "ana"
    page = log_in(console, "ben").get(f"{console.url}/console/tickets/{ticket.reference}")
    assert 'id="reply"' not in page.text and re.search("taken · (Ana|ana)<", page.text)


def test_when_rasa_fails_taking_is_503_and_the_ticket_stays_in_the_queue(
    console: Console,
) -> None:
    ticket = open_ticket(console)
    browser = log_in(console, "ana")
    console.rasa.fail_with = 500
    answer = take(console, browser, ticket.reference)
    assert answer.status_code == 503 and "still in the queue" in answer.text
    console.rasa.fail_with = None
    assert stored(console, ticket.reference).state is TicketState.OPEN
    queue = log_in(console, "ben").get(f"{console.url}/console", timeout=10)
    assert f"Take {ticket.reference}" in queue.text


# Answering


def test_a_reply_reaches_the_shoppers_channel_as_the_agents_words(console: Console) -> None:
    ticket = open_ticket(console)
    browser = log_in(console, "ana")
    take(console, browser, ticket.reference)
    answer = reply(console, browser, ticket.reference, "  I'm checking with UPS now. ")
    assert answer.status_code == 200 and answer.json() == {"status": "sent"}
    call = console.rasa.of(ticket.conversation)[-1]
    assert call["endpoint"] == "tracker/events"
    assert call["query"]["execute_side_effects"] == "true"
    assert call["query"]["output_channel"] == "twilio"
    assert call["query"]["token"] == RASA_TOKEN
    [event] = call["body"]
    assert event["event"] == "bot" and event["text"] == "Ana: I'm checking with UPS now."
    assert event["metadata"]["agent"] == "ana"


def test_a_reply_without_the_csrf_header_is_403_and_sends_nothing(console: Console) -> None:
    ticket = open_ticket(console)
    browser = log_in(console, "ana")
    take(console, browser, ticket.reference)
    answer = reply(console, browser, ticket.reference, "Hello", csrf=False)
    assert answer.status_code == 403
    assert len(console.rasa.of(ticket.conversation)) == 1  # the take's announcement only


def test_a_reply_to_someone_elses_conversation_is_409(console: Console) -> None:
    ticket = open_ticket(console)
    take(console, log_in(console, "ana"), ticket.reference)
    answer = reply(console, log_in(console, "ben"), ticket.reference, "Ben here!")
    assert answer.status_code == 409 and answer.json()["error"] == "Ana has this conversation."
    assert len(console.rasa.of(ticket.conversation)) == 1


def test_a_form_post_from_another_site_is_403(console: Console) -> None:
    ticket = open_ticket(console)
    browser = log_in(console, "ana")
    answer = post(
        console,
        browser,
        f"/console/tickets/{ticket.reference}/take",
        headers={"Origin": "http://evil.example"},
    )
    assert answer.status_code == 403
    assert console.rasa.of(ticket.conversation) == []
    assert stored(console, ticket.reference).state is TicketState.OPEN


# Giving back


def test_handing_back_resumes_the_assistant_then_it_greets_and_the_ticket_closes(
    console: Console,
) -> None:
    ticket = open_ticket(console)
    browser = log_in(console, "ana")
    take(console, browser, ticket.reference)
    answer = post(console, browser, f"/console/tickets/{ticket.reference}/handback")
    assert answer.status_code == 303 and "done=handed_back" in answer.headers["Location"]
    calls = console.rasa.of(ticket.conversation)[1:]
    assert [c["endpoint"] for c in calls] == ["tracker/events", "trigger_intent"]
    assert calls[0]["body"][0] == {"event": "resume"}
    back = read_console_token(
        SECRET.encode(), calls[1]["body"]["entities"]["console"], ticket.conversation
    )
    assert back is not None and back["event"] == "back"
    kept = stored(console, ticket.reference)
    assert kept.state is TicketState.CLOSED and kept.outcome is TicketOutcome.HANDED_BACK
    queue = browser.get(f"{console.url}/console", timeout=10)
    assert f'href="/console/tickets/{ticket.reference}"' not in queue.text
    assert f"Take {ticket.reference}" not in queue.text


# The transcript


def test_the_transcript_lines_after_the_ones_shown_come_masked(console: Console) -> None:
    ticket = open_ticket(console)
    console.rasa.trackers[ticket.conversation] = [
        {"event": "user", "timestamp": 1.0, "text": "where is my tent?", "parse_data": {}},
        {"event": "bot", "timestamp": 2.0, "text": "It is in transit.", "metadata": {}},
        {"event": "user", "timestamp": 3.0, "text": f"write to {SHOPPER_EMAIL}", "parse_data": {}},
    ]
    browser = log_in(console, "ana")
    answer = browser.get(
        f"{console.url}/console/tickets/{ticket.reference}/lines.json?after=1", timeout=10
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 3
    assert [(line["speaker"], line["text"]) for line in body["lines"]] == [
        ("bot", "It is in transit."),
        ("shopper", "write to <email>"),
    ]
    assert body["ticket"]["state"] == "open"


# Who may open what, and for how long


def test_the_team_page_is_for_leads_and_counts_the_weeks_hand_offs(console: Console) -> None:
    for _ in range(2):
        open_ticket(console, trigger=Trigger.LOCKED_OUT)
    agent = log_in(console, "ana").get(f"{console.url}/console/team", timeout=10)
    lead = log_in(console, "lee").get(f"{console.url}/console/team", timeout=10)
    assert agent.status_code == 403 and "locked out" not in agent.text
    assert lead.status_code == 200 and "Hand-offs of the last 7 days" in lead.text
    row = re.search(r'<th scope="row">locked out</th>((?:<td>\d+</td>)+)', lead.text)
    assert row is not None
    assert re.findall(r"\d+", row[1]) == ["2", "0", "0"]  # open, taken, closed


def test_an_idle_session_is_logged_out(console: Console) -> None:
    env = web_env(console.workdir, console.rasa, CONSOLE_IDLE_MINUTES="0.02")
    url = f"http://127.0.0.1:{env['WEB_PORT']}"
    with serving([str(WISMO), "web"], env, f"{url}/healthz", console.workdir / "idle.log"):
        idle = Console(url, console.db_url, console.rasa, env, console.workdir, console.tickets)
        browser = log_in(idle, "ana")
        assert browser.get(f"{url}/console", allow_redirects=False, timeout=10).status_code == 200
        time.sleep(1.5)
        answer = browser.get(f"{url}/console", allow_redirects=False, timeout=10)
        assert answer.status_code == 302
        assert "/console/login" in answer.headers["Location"]
        assert "notice=expired" in answer.headers["Location"]
        login = browser.get(urljoin(url, answer.headers["Location"]), timeout=10)
        assert "Your session ended. Please log in again." in login.text


def test_logging_out_ends_the_session_for_the_old_cookie_too(console: Console) -> None:
    browser = log_in(console, "ana")
    cookie = browser.cookies["wismo_console"]
    answer = post(console, browser, "/console/logout")
    assert answer.status_code == 303 and "notice=out" in answer.headers["Location"]
    replay = requests.Session()
    replay.cookies.set("wismo_console", cookie, path="/console")
    again = replay.get(f"{console.url}/console", allow_redirects=False, timeout=10)
    assert again.status_code == 302 and "/console/login" in again.headers["Location"]


def test_every_console_page_is_not_cached_and_has_a_content_security_policy(
    console: Console,
) -> None:
    ticket = open_ticket(console)
    lead = log_in(console, "lee")
    agent = log_in(console, "ben")
    pages = [
        requests.get(f"{console.url}/console/login", timeout=10),
        lead.get(f"{console.url}/console", timeout=10),
        lead.get(f"{console.url}/console/queue.json", timeout=10),
        lead.get(f"{console.url}/console/tickets/{ticket.reference}", timeout=10),
        lead.get(f"{console.url}/console/tickets/{ticket.reference}/lines.json", timeout=10),
        lead.get(f"{console.url}/console/tickets/HD-NOSUCH", timeout=10),
        lead.get(f"{console.url}/console/team", timeout=10),
        agent.get(f"{console.url}/console/team", timeout=10),
    ]
    for page in pages:
        assert page.headers.get("Cache-Control") == "no-store", page.url
        assert "default-src 'self'" in page.headers.get("Content-Security-Policy", ""), page.url
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"], page.url


# `wismo user add`


def test_user_add_with_bad_details_says_every_problem_and_exits_2(console: Console) -> None:
    done = user_add(console.env, "Bad Name!", "--name", " ", password="short")  # noqa: S106
    assert done.returncode == 2
    problems = [line for line in done.stderr.splitlines() if line.startswith("wismo user add:")]
    assert len(problems) == 3, done.stderr
    assert "username" in problems[0] and "name" in problems[1] and "password" in problems[2]


def test_user_add_with_a_taken_username_exits_2(console: Console) -> None:
    done = user_add(console.env, "ana", "--name", "Another Ana", password="another-password-5")  # noqa: S106
    assert done.returncode == 2 and "the username 'ana' is taken" in done.stderr
    log_in(console, "ana")  # the first Ana's password still works
