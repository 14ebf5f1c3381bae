"""The hand-off bench (bench/handoff.py): from "talk to a person" to the console's queue.

What is pure: the reference in the bot's replies, the login form's CSRF token, what
queue.json shows, the console page's refresh, a hand-off as its REST answer makes it
and the agent's login (fake HTTP sessions, no server), the watch over queue.json (a
fake agent), the runs' percentiles, and the report's lines and summary, from hand-made
results. Nothing is timed.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from bench import handoff as bench_handoff
from bench import report
from bench.handoff import (
    CONSOLE_JS,
    Agent,
    ConsoleRefused,
    Handoff,
    QueueWatch,
    ask,
    csrf_of,
    page_refresh_ms,
    poll_figures,
    queued_references,
    reference_in,
    run_figures,
)
from bench.run import parse_args

QUEUED = (
    "I've passed you to our team with everything we've talked about, so you won't have to"
    " repeat yourself (reference HD-7K3Q9P). You're first in the queue: a person will join"
    " this chat next."
)


@pytest.mark.parametrize(
    ("replies", "reference"),
    [
        ([{"text": QUEUED}], "HD-7K3Q9P"),
        ([{"text": "One moment."}, {"text": "Our team is away now (ref HD-22ZZAB)."}], "HD-22ZZAB"),
        ([{"text": "Keep the reference CL-7F3K9Q."}], None),
        ([{"text": "reference HD-7K3Q9"}], None),  # five characters
        ([{"text": "reference HD-7K3Q0P"}], None),  # no 0, O, 1 or I in a reference
        ([{"custom": {"type": "card"}}], None),
        ([], None),
    ],
)
def test_the_reference_is_the_first_hd_reference_the_replies_name(
    replies: list[dict[str, Any]], reference: str | None
) -> None:
    assert reference_in(replies) == reference


def test_the_login_forms_csrf_token_is_its_hidden_field() -> None:
    page = '<form method="post"><input type="hidden" name="csrf" value="tok-123_x"></form>'
    assert csrf_of(page) == "tok-123_x"
    with pytest.raises(ConsoleRefused):
        csrf_of('<input type="hidden" name="next" value="/console">')


def test_the_queue_shows_the_waiting_tickets_and_the_agents_own() -> None:
    body = {
        "waiting": [{"reference": "HD-AAAAAA"}, {"reference": "HD-BBBBBB"}],
        "mine": [{"reference": "HD-CCCCCC"}],
    }
    assert queued_references(body) == {"HD-AAAAAA", "HD-BBBBBB", "HD-CCCCCC"}
    assert queued_references({"waiting": [], "mine": []}) == set()


def test_the_page_refresh_is_read_from_the_consoles_script() -> None:
    assert page_refresh_ms("const QUEUE_EVERY_MS = 2500;\nconst LINES_EVERY_MS = 1500;") == 2500
    assert page_refresh_ms(CONSOLE_JS.read_text()) == 3000  # the console page's, today
    with pytest.raises(ValueError):
        page_refresh_ms("const LINES_EVERY_MS = 1500;")


def answer(status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


def page(status: int, text: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = text.encode()
    return response


class FakeSession:
    """Stands for requests.Session: answers each call with the next answer, or raises it."""

    def __init__(self, *answers: requests.Response | Exception) -> None:
        self.answers, self.calls = list(answers), []

    def _next(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.calls.append((method, url, kwargs))
        found = self.answers.pop(0)
        if isinstance(found, Exception):
            raise found
        return found

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self._next("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self._next("POST", url, **kwargs)

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *_: object) -> None:
        pass


def asked(monkeypatch: pytest.MonkeyPatch, reply: requests.Response | Exception) -> Handoff:
    session = FakeSession(reply)
    monkeypatch.setattr(bench_handoff.requests, "Session", lambda: session)
    made = ask("http://127.0.0.1:9/webhooks/rest/webhook")
    method, _, kwargs = session.calls[0]
    assert method == "POST" and kwargs["json"]["message"] == "talk to a person"
    assert kwargs["json"]["sender"].startswith("handoff-")
    return made


def test_a_handoff_keeps_the_reference_its_reply_names(monkeypatch: pytest.MonkeyPatch) -> None:
    made = asked(monkeypatch, answer(200, [{"recipient_id": "x", "text": QUEUED}]))
    assert (made.reference, made.problem) == ("HD-7K3Q9P", "")
    assert made.reply_s is not None and made.reply_s >= 0


@pytest.mark.parametrize(
    ("reply", "problem", "replied"),
    [
        (answer(200, [{"text": "Which order do you mean?"}]), "no reference", True),
        (answer(200, []), "no reference", True),
        (answer(500, []), "HTTP 500", True),
        (page(200, "<html>Bad gateway</html>"), "not JSON", True),
        (requests.ConnectionError(), "ConnectionError", False),
    ],
)
def test_a_handoff_without_a_reference_says_why(
    monkeypatch: pytest.MonkeyPatch,
    reply: requests.Response | Exception,
    problem: str,
    replied: bool,
) -> None:
    made = asked(monkeypatch, reply)
    assert (made.reference, made.problem) == (None, problem)
    assert (made.reply_s is not None) == replied


def test_a_reply_with_a_reference_that_went_wrong_is_still_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = "Sorry, something went wrong on our side (reference HD-7K3Q9P)."
    made = asked(monkeypatch, answer(200, [{"text": wrong}]))
    assert made.problem == "something went wrong"


LOGIN_PAGE = '<input type="hidden" name="csrf" value="login-token">'


def test_the_agent_logs_in_with_the_forms_token_and_the_demo_agents_password() -> None:
    agent = Agent("http://127.0.0.1:9")
    fake = FakeSession(page(200, LOGIN_PAGE), answer(303, None))
    agent.session = fake  # type: ignore[assignment]
    assert agent.log_in() is agent
    method, url, kwargs = fake.calls[1]
    assert (method, url) == ("POST", "http://127.0.0.1:9/console/login")
    assert kwargs["data"] == {
        "username": "ana",
        "password": "woodland-agent-demo",
        "csrf": "login-token",
    }
    assert kwargs["allow_redirects"] is False


def test_a_refused_login_stops_the_bench() -> None:
    agent = Agent("http://127.0.0.1:9")
    agent.session = FakeSession(page(200, LOGIN_PAGE), answer(401, None))  # type: ignore[assignment]
    with pytest.raises(ConsoleRefused, match="login HTTP 401"):
        agent.log_in()


class FakeAgent:
    """Stands for the logged-in agent: each queue.json is the next body (the last repeats)."""

    def __init__(self, *bodies: dict[str, Any] | Exception) -> None:
        self.bodies = list(bodies)

    def queue(self) -> dict[str, Any]:
        found = self.bodies.pop(0) if len(self.bodies) > 1 else self.bodies[0]
        if isinstance(found, Exception):
            raise found
        return found


def test_the_watch_keeps_when_each_reference_first_showed() -> None:
    first = {"waiting": [{"reference": "HD-AAAAAA"}], "mine": []}
    later = {"waiting": [{"reference": "HD-AAAAAA"}, {"reference": "HD-BBBBBB"}], "mine": []}
    agent = FakeAgent(first, ConsoleRefused("queue.json HTTP 500"), later)
    with QueueWatch(agent) as watch:  # type: ignore[arg-type]
        watch.wait_for(["HD-AAAAAA", "HD-BBBBBB"], timeout=5)
    assert watch.seen.keys() == {"HD-AAAAAA", "HD-BBBBBB"}
    assert watch.seen["HD-AAAAAA"] < watch.seen["HD-BBBBBB"]
    assert watch.failures == 1
    assert len(watch.polls) >= 2


def test_a_run_has_percentiles_of_the_reply_and_queue_times_and_the_pages_worst_case() -> None:
    handoffs = [Handoff(sent=10.0 * i, reply_s=0.1 * i, reference=f"HD-{i}") for i in range(1, 21)]
    seen = {f"HD-{i}": 10.0 * i + 0.01 * i for i in range(1, 21)}
    figures = run_figures("one after another", handoffs, seen, 3000)
    assert figures == {
        "name": "one after another",
        "handoffs": 20,
        "errors": 0,
        "error_kinds": {},
        "never_queued": 0,
        "reply_p50_ms": 1000.0,
        "reply_p95_ms": 1900.0,
        "reply_max_ms": 2000.0,
        "queue_p50_ms": 100.0,
        "queue_p95_ms": 190.0,
        "queue_max_ms": 200.0,
        "page_max_ms": 3200.0,
    }


def test_a_run_counts_errors_and_tickets_that_never_showed() -> None:
    handoffs = [
        Handoff(sent=0.0, reply_s=0.2, reference="HD-AAAAAA"),
        Handoff(sent=1.0, reply_s=0.3, reference="HD-BBBBBB"),  # never in the queue
        Handoff(sent=2.0, reply_s=0.1, problem="no reference"),
        Handoff(sent=3.0, problem="ConnectionError"),
    ]
    figures = run_figures("10 at once", handoffs, {"HD-AAAAAA": 0.05}, 3000)
    assert (figures["errors"], figures["never_queued"]) == (2, 1)
    assert figures["error_kinds"] == {"no reference": 1, "ConnectionError": 1}
    assert (figures["reply_p50_ms"], figures["reply_max_ms"]) == (200.0, 300.0)
    assert (figures["queue_p95_ms"], figures["page_max_ms"]) == (50.0, 3050.0)


def test_a_run_with_nothing_queued_has_no_times() -> None:
    figures = run_figures("10 at once", [Handoff(sent=0.0, problem="ReadTimeout")], {}, 3000)
    assert figures["reply_p95_ms"] is None
    assert figures["queue_p95_ms"] is None
    assert figures["page_max_ms"] is None


def test_the_poll_cost_is_over_every_poll_with_the_queue_it_held() -> None:
    polls = [0.002] * 95 + [0.010] * 5
    assert poll_figures(polls, 30, [0.02, 0.04]) == {
        "polls": 100,
        "waiting": 30,
        "p50_ms": 2.0,
        "p95_ms": 2.0,
        "max_ms": 10.0,
        "page_p95_ms": 40.0,
    }


def test_the_bench_can_leave_the_handoffs_out() -> None:
    assert parse_args(["--skip", "handoff", "phones"]).skip == ["handoff", "phones"]


def handoff_run(name: str, reply_p95: float | None, queue_p95: float | None) -> dict[str, Any]:
    return {
        "name": name,
        "handoffs": 20,
        "errors": 0,
        "error_kinds": {},
        "never_queued": 0,
        "reply_p50_ms": reply_p95,
        "reply_p95_ms": reply_p95,
        "reply_max_ms": reply_p95,
        "queue_p50_ms": queue_p95,
        "queue_p95_ms": queue_p95,
        "queue_max_ms": None if queue_p95 is None else queue_p95 + 10,
        "page_max_ms": None if queue_p95 is None else queue_p95 + 3010,
    }


HANDOFF = {
    "poll_ms": 50,
    "page_refresh_ms": 3000,
    "runs": [
        handoff_run("one after another", 120.0, 90.0),
        {
            **handoff_run("10 at once", 400.0, 450.0),
            "errors": 1,
            "error_kinds": {"no reference": 1},
        },
    ],
    "queue_poll": {
        "polls": 100,
        "waiting": 30,
        "p50_ms": 4.0,
        "p95_ms": 7.0,
        "max_ms": 12.0,
        "page_p95_ms": 25.0,
        "failed": 0,
    },
    "closed": 30,
}


def results(handoff: dict[str, Any] | None) -> dict[str, Any]:
    ours: dict[str, Any] = {
        "runs": [
            {
                "name": name,
                "turns": 100,
                "errors": 0,
                "turns_per_s": 4.0,
                "p50_ms": 20.0,
                "p95_ms": 40.0,
                "p99_ms": 80.0,
            }
            for name in ("10 shoppers", "saturation")
        ],
        "peak_rss_mib": {"rasa": 1000.0},
    }
    if handoff is not None:
        ours["handoff"] = handoff
    return {"machine": {}, "wismo": ours}


def test_the_headline_is_the_one_after_another_run_and_the_polls_cost() -> None:
    headline = report.figures(results(HANDOFF))
    assert headline["handoff_reply_p95_ms"] == 120.0
    assert headline["handoff_queue_p95_ms"] == 90.0
    assert headline["handoff_queue_poll_p95_ms"] == 7.0


def test_the_summary_line_adds_the_handoffs_only_when_they_ran() -> None:
    assert not [key for key in report.figures(results(None)) if "handoff" in key]
    assert "handoff" not in report.summary_line(results(None))
    assert report.summary_line(results(HANDOFF)) == (
        "throughput_ratio=n/a p95_ms=40 rss_mib=1000"
        " handoff_reply_p95_ms=120 handoff_queue_p95_ms=90 handoff_queue_poll_p95_ms=7"
    )
    nothing = {**HANDOFF, "runs": [handoff_run("one after another", None, None)]}
    assert report.summary_line(results(nothing)).endswith(
        "handoff_reply_p95_ms=n/a handoff_queue_p95_ms=n/a handoff_queue_poll_p95_ms=7"
    )


def test_the_table_has_each_handoff_run_the_pages_worst_case_and_the_polls_cost() -> None:
    lines = report.table(results(HANDOFF)).splitlines()
    assert (
        "handoff, one after another: 20 hand-offs, 0 errors, 0 never queued;"
        " reply p50 120, p95 120, max 120 ms; in the queue p50 90, p95 90, max 100 ms"
        " (polled every 50 ms)"
    ) in lines
    assert any(
        re.match(r"handoff, 10 at once: 20 hand-offs, 1 errors \(no reference 1\)", line)
        for line in lines
    )
    assert (
        "  the console page asks every 3 s: it shows a ticket up to 3 s after the queue"
        " does (worst case 3460 ms)"
    ) in lines
    assert (
        "  queue.json with 30 waiting: p50 4, p95 7, max 12 ms over 100 polls;"
        " the page's redraw p95 25 ms; 30 tickets closed after"
    ) in lines
    assert not [line for line in report.table(results(None)).splitlines() if "handoff" in line]
