"""The widget's load run (bench/widget.py): judged as REST is, reported beside REST.

What is pure: the one judgement both paths share, a turn as the widget's socket
hears it (a fake socket, no server), the client's own figures, and the report's
ratio of the widget's p95 over REST's, from hand-made results. Nothing is timed.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest
import requests

from bench import report
from bench.load import Turn, judge, judge_replies
from bench.widget import Chat, SetupFailed, WidgetRun, WidgetShoppers, failure_kind

STATUS = Turn("when will it get here?", "WM-104313")
CARD = {"custom": {"type": "shipment_card", "tracking_number": "1Z999"}}


@pytest.mark.parametrize(
    ("replies", "problem"),
    [
        ([{"text": "Your order WM-104313 is on its way."}], ""),
        ([{"text": "Your order WM-104313 ships today."}, CARD, {"text": "Anything else?"}], ""),
        ([{"text": "Order WM-104313?", "quick_replies": [{"title": "Yes"}]}], ""),
        ([], "no answer"),
        ([CARD], "no answer"),
        ([{"text": "Sorry, Something went wrong on our side."}], "something went wrong"),
        ([{"text": "Which order do you mean?"}], "answer without 'WM-104313'"),
    ],
)
def test_a_turn_is_judged_on_the_text_of_all_its_replies(
    replies: list[dict[str, Any]], problem: str
) -> None:
    assert judge_replies(replies, STATUS) == problem


def test_a_turn_that_expects_nothing_needs_only_an_answer() -> None:
    assert judge_replies([{"text": "Bye!"}], Turn("thanks, bye")) == ""
    assert judge_replies([], Turn("thanks, bye")) == "no answer"


def rest_answer(status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


def test_rest_turns_are_judged_by_the_same_judgement_after_their_status() -> None:
    replies = [{"recipient_id": "load-1", "text": "Which order do you mean?"}]
    assert judge(rest_answer(200, replies), STATUS) == judge_replies(replies, STATUS)
    assert judge(rest_answer(200, []), STATUS) == "no answer"
    assert judge(rest_answer(503, replies), STATUS) == "HTTP 503"


class FakeSocket:
    """Stands for the socket.io client: an emit makes the channel's events arrive."""

    def __init__(self, chat: Chat, events: list[tuple[str, Any]]) -> None:
        self.chat, self.events, self.sent = chat, events, []

    async def emit(self, event: str, data: Any) -> None:
        self.sent.append((event, data))
        for name, payload in self.events:
            {
                "bot_uttered": self.chat._uttered,
                "turn_done": self.chat._turn_done,
                "disconnect": self.chat._disconnected,
            }[name](payload)


async def test_a_turn_is_what_the_socket_heard_until_turn_done() -> None:
    chat = Chat()
    heard = [{"text": "Your order WM-104313 ships today."}, CARD]
    events = [("bot_uttered", m) for m in heard] + [("turn_done", {})]
    fake = FakeSocket(chat, events)
    chat.sio = fake
    replies, seconds = await chat.say("when will it get here?", timeout=5)
    assert replies == heard
    assert seconds >= 0
    assert fake.sent == [("user_uttered", {"message": "when will it get here?"})]
    assert chat.lost == ""
    # The next turn hears only its own replies.
    fake.events = [("bot_uttered", {"text": "Bye!"}), ("turn_done", {})]
    assert (await chat.say("thanks, bye", timeout=5))[0] == [{"text": "Bye!"}]


async def test_a_socket_closed_by_the_server_ends_the_turn_and_says_why() -> None:
    chat = Chat()
    chat.sio = FakeSocket(chat, [("disconnect", "transport close")])
    replies, _ = await chat.say("where is my order WM-104313", timeout=5)
    assert replies == []
    assert chat.lost == "disconnected"


async def test_a_turn_that_never_ends_times_out() -> None:
    chat = Chat()
    chat.sio = FakeSocket(chat, [("bot_uttered", {"text": "Let me look"})])
    with pytest.raises(TimeoutError):
        await chat.say("where is my order WM-104313", timeout=0.01)


def test_a_failure_is_named_by_what_the_web_process_said_or_its_type() -> None:
    assert failure_kind(SetupFailed("session HTTP 403")) == "session HTTP 403"
    assert failure_kind(TimeoutError()) == "TimeoutError"


def test_widget_shoppers_pause_as_the_rest_shoppers_do() -> None:
    shoppers = WidgetShoppers("http://127.0.0.1:9", "http://127.0.0.1:8", iter(()), spread=0.5)
    jitter = random.Random(3)  # noqa: S311 (jitter, not secrets)
    drawn = [shoppers.pacing.pause(jitter, 2.0) for _ in range(500)]
    assert min(drawn) >= 1.0
    assert max(drawn) <= 3.0
    assert len(set(drawn)) > 250
    assert shoppers.headers == {"Origin": "http://127.0.0.1:8"}


def test_the_run_summary_has_the_rest_figures_and_what_the_client_cost() -> None:
    run = WidgetRun("10 shoppers", 10, 2.0, 20.0)
    run.setups = [0.02, 0.01, 0.03, 0.04]
    run.loop_lags = [0.001] * 99 + [0.009]
    run.client_cpu_s, run.client_wall_s = 2.0, 25.0
    summary = run.summary()
    assert summary["name"] == "10 shoppers" and summary["turns"] == 0
    assert summary["client"] == {
        "cpu_share": 0.08,
        "loop_lag_p99_ms": 1.0,
        "loop_lag_max_ms": 9.0,
        "conversations": 4,
        "setup_p50_ms": 20.0,
        "setup_p95_ms": 40.0,
    }


def load(name: str, p95: float | None, **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "turns": 100,
        "errors": 0,
        "turns_per_s": 4.0,
        "p50_ms": None if p95 is None else p95 / 2,
        "p95_ms": p95,
        "p99_ms": None if p95 is None else p95 * 2,
        **more,
    }


def results(widget: list[dict[str, Any]] | None) -> dict[str, Any]:
    ours: dict[str, Any] = {
        "runs": [load("10 shoppers", 40.0), load("50 shoppers", 80.0), load("saturation", 120.0)],
        "peak_rss_mib": {"rasa": 1000.0, "actions": 100.0},
    }
    if widget is not None:
        ours["widget_runs"] = widget
        # The REST runs made just before each widget run, on the warm stack; the first
        # runs above carry the warm-up and are not what the widget is compared with.
        ours["widget_rest_runs"] = [load("10 shoppers", 40.0), load("50 shoppers", 80.0)]
        ours["runs"] = [load("10 shoppers", 400.0), load("50 shoppers", 800.0), ours["runs"][2]]
    return {"machine": {}, "wismo": ours}


CLIENT = {
    "cpu_share": 0.05,
    "loop_lag_p99_ms": 1.5,
    "loop_lag_max_ms": 4.0,
    "conversations": 30,
    "setup_p50_ms": 8.0,
    "setup_p95_ms": 15.0,
}


def test_the_ratio_is_the_widgets_p95_over_the_rest_run_beside_it_for_each_load() -> None:
    widget = [load("10 shoppers", 46.0), load("50 shoppers", 100.0)]
    assert report.widget_p95_ratios(results(widget)) == {"10 shoppers": 1.15, "50 shoppers": 1.25}
    headline = report.figures(results(widget))
    assert headline["widget_p95_ms"] == 46.0
    assert headline["widget_p95_ratio"] == 1.15


def test_the_summary_line_adds_the_widget_only_when_it_ran() -> None:
    assert re.fullmatch(
        r"throughput_ratio=n/a p95_ms=40 rss_mib=1000", report.summary_line(results(None))
    )
    assert not [key for key in report.figures(results(None)) if "widget" in key]
    line = report.summary_line(results([load("10 shoppers", 46.0)]))
    assert line == (
        "throughput_ratio=n/a p95_ms=400 rss_mib=1000 widget_p95_ms=46 widget_p95_ratio=1.15"
    )


def test_a_load_without_turns_has_no_ratio() -> None:
    widget = [load("10 shoppers", None)]
    assert report.widget_p95_ratios(results(widget)) == {"10 shoppers": None}
    assert report.summary_line(results(widget)).endswith("widget_p95_ms=n/a widget_p95_ratio=n/a")


def test_the_table_puts_the_widget_beside_rest_with_the_ratio_and_the_client() -> None:
    widget = [
        load("10 shoppers", 46.0, client=CLIENT),
        load("50 shoppers", 100.0, client=CLIENT),
    ]
    lines = report.table(results(widget)).splitlines()
    rows = [line.split()[:3] for line in lines[1:6]]
    assert rows == [
        ["wismo", "10", "shoppers"],
        ["wismo", "50", "shoppers"],
        ["wismo", "saturation", "100"],
        ["widget", "10", "shoppers"],
        ["widget", "50", "shoppers"],
    ]
    assert "widget vs REST, 10 shoppers: p95 46 vs 40 ms, ratio 1.15 (target <= 1.20) ok" in lines
    over = "widget vs REST, 50 shoppers: p95 100 vs 80 ms, ratio 1.25 (target <= 1.20) OVER"
    assert over in lines
    assert "widget_p95_ratio: 1.15" in lines
    assert any("0.05 of a core, loop lag p99 1.5 ms" in line for line in lines)
