"""The phone channels' load runs (bench/phones.py, bench/notifier.py, bench/copies.py).

What is pure: the shoppers' phones and scripts, the form and signature of a texted
turn, a turn as the fake Twilio shows its reply (a fake HTTP session, no server),
the runs' percentiles, the notifier's figures, and the report's lines and summary,
from hand-made results. Nothing is timed.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from bench import report
from bench.copies import order_copies, ups_numbers
from bench.load import Record, Turn
from bench.notifier import (
    out_for_delivery,
    phones_of,
    subscribed_parcels,
    throughput,
    updates_by_phone,
)
from bench.phones import (
    POLL_S,
    SmsRun,
    SmsShoppers,
    demo_phones,
    inbound_form,
    proven_script,
    shopper_phones,
    signed_headers,
    sms_loads,
)
from bot.adapters.carriers.detect import detect_carrier
from bot.channels.messaging_settings import TwilioSettings
from bot.demo import SCENARIOS, build_demo

NOW = datetime.fromisoformat("2026-11-20T15:00:00-05:00")
PUBLIC_URL = "http://127.0.0.1:5005/webhooks/twilio/webhook"
SETTINGS = TwilioSettings(
    account_sid="ACtest",
    auth_token="token-123",  # noqa: S106 (a test account's)
    number="+15550100000",
    whatsapp_number="whatsapp:+15550100001",
    public_url=PUBLIC_URL,
    api_url="http://127.0.0.1:5090",
)
E164 = re.compile(r"\+[1-9]\d{6,14}")


def test_sms_runs_carry_the_rest_loads_at_least_ten_shoppers_each_once() -> None:
    assert sms_loads([10, 50]) == [10, 50]
    assert sms_loads([50, 5, 10]) == [10, 50]
    assert sms_loads([3]) == [10]


def test_demo_phones_are_each_on_one_shipped_order_of_the_demo() -> None:
    orders = build_demo(NOW)["orders"]
    phones = Counter(order["customer"]["phone"] for order in orders)
    found = demo_phones(NOW)
    assert len(found) >= 10
    assert len({phone for phone, _ in found}) == len(found)
    by_number = {order["order_number"]: order for order in orders}
    for phone, number in found:
        assert by_number[number]["customer"]["phone"] == phone
        assert phones[phone] == 1
        assert by_number[number]["shipments"]


def test_shoppers_beyond_the_demo_phones_get_orders_of_their_own() -> None:
    phones, made = shopper_phones(NOW, 50)
    demo = demo_phones(NOW)
    assert phones[: len(demo)] == demo
    assert len({phone for phone, _ in phones}) == 50
    assert all(E164.fullmatch(phone) for phone, _ in phones)
    made_orders = {o["order_number"]: o for o in made["orders"]}
    assert len(made_orders) == 50 - len(demo)
    for phone, number in phones[len(demo) :]:
        assert made_orders[number]["customer"]["phone"] == phone
    numbers = [t["tracking_number"] for t in made["tracking"]]
    assert numbers == [o["shipments"][0]["tracking_number"] for o in made["orders"]]
    assert all(t["events"] for t in made["tracking"])


def test_no_orders_are_made_while_the_demo_phones_suffice() -> None:
    phones, made = shopper_phones(NOW, 10)
    assert phones == demo_phones(NOW)[:10]
    assert made == {"orders": [], "tracking": []}


def test_made_parcels_have_distinct_ups_numbers_the_detector_accepts() -> None:
    numbers = ups_numbers(30, 21_000_000)
    assert len(set(numbers)) == 30
    assert all(detect_carrier(n) == "ups" and len(n) == 18 for n in numbers)
    # Below 10,000,000 no check digit makes a serial valid: those are passed over.
    skipped = ups_numbers(3, 9_999_998)
    assert all(detect_carrier(n) == "ups" for n in skipped)
    assert skipped[0].startswith("1Z999BB1010000000")
    with pytest.raises(ValueError, match="no 2 valid UPS numbers"):
        ups_numbers(2, 0)
    copies = order_copies(NOW, [SCENARIOS["in_transit"]], 3, 900_000)
    assert [o["order_number"] for o in copies["orders"]] == ["WM-900000", "WM-900001", "WM-900002"]
    assert phones_of(copies) == ["+15550900000", "+15550900001", "+15550900002"]


def test_a_proven_script_asks_about_the_phones_own_order_and_expects_its_number() -> None:
    script = proven_script("WM-104233")
    assert [t.text for t in script] == [
        "where is my order WM-104233",
        "when will it get here?",
        "thanks, bye",
    ]
    assert [t.expect for t in script] == ["WM-104233", "WM-104233", ""]


def test_a_texted_turn_is_the_form_twilio_posts_signed_over_the_public_url() -> None:
    form = inbound_form(SETTINGS, "+14155550134", "where is my order WM-104233", "SM" + "0" * 32)
    assert form["From"] == "+14155550134"
    assert form["To"] == SETTINGS.number
    assert form["AccountSid"] == "ACtest"
    assert form["Body"] == "where is my order WM-104233"
    assert form["MessageSid"] == "SM" + "0" * 32
    # Checked once with twilio's own RequestValidator (in .venv-rasa) for this URL and token.
    assert signed_headers(SETTINGS, form) == {"X-Twilio-Signature": "pP/Wno+zUiViyTm+KyS02XB6iFQ="}


def test_the_signature_covers_the_body_and_the_public_url() -> None:
    form = inbound_form(SETTINGS, "+14155550134", "where is my order WM-104233", "SM1")
    signature = signed_headers(SETTINGS, form)
    assert signed_headers(SETTINGS, {**form, "Body": "where is WM-104234"}) != signature
    elsewhere = TwilioSettings(**{**vars(SETTINGS), "public_url": PUBLIC_URL + "/"})
    assert signed_headers(elsewhere, form) != signature


class FakeAnswer:
    def __init__(self, status: int, body: Any = None) -> None:
        self.status_code, self.body = status, body

    def json(self) -> Any:
        return self.body

    def raise_for_status(self) -> None:
        assert self.status_code < 400


class FakeHttp:
    """Stands for the shopper's session: the webhook's answer, then the fake's lists."""

    def __init__(self, status: int, lists: list[list[dict[str, str]]]) -> None:
        self.status, self.lists, self.posted = status, lists, []

    def post(self, url: str, data: dict[str, str], headers: dict[str, str], timeout: float) -> Any:
        self.posted.append((url, data, headers))
        return FakeAnswer(self.status)

    def get(self, url: str, params: dict[str, str], timeout: float) -> Any:
        assert url == "http://fakes/_fake/twilio/messages" and params == {"to": "+14155550134"}
        return FakeAnswer(200, self.lists.pop(0) if len(self.lists) > 1 else self.lists[0])


def shoppers(timeout: float = 5.0) -> SmsShoppers:
    phones = [("+14155550134", "WM-104233")]
    return SmsShoppers("http://rasa/hook", "http://fakes", SETTINGS, phones, timeout=timeout)


OLD = {"to": "+14155550134", "body": "an earlier reply"}
STATUS = Turn("where is my order WM-104233", "WM-104233")


def test_a_turn_is_judged_on_the_messages_that_came_after_it() -> None:
    sms, run = shoppers(), SmsRun("10 shoppers", 1, 2.0, 10.0)
    reply = {"to": "+14155550134", "body": "Order WM-104233 is on its way with UPS."}
    http = FakeHttp(200, [[OLD], [OLD], [OLD, reply]])
    assert sms._turn(http, run, "+14155550134", STATUS, 0)  # type: ignore[arg-type]
    assert [r.ok for r in run.records] == [True]
    assert len(run.replies) == 1 and run.replies[0] >= run.records[0].seconds
    assert run.failures == {}
    url, form, headers = http.posted[0]
    assert url == "http://rasa/hook" and form["Body"] == STATUS.text
    assert headers == signed_headers(SETTINGS, form)
    assert run.polls == 3


def test_an_earlier_reply_does_not_count_for_this_turn() -> None:
    sms, run = shoppers(timeout=5 * POLL_S), SmsRun("10 shoppers", 1, 2.0, 10.0)
    earlier = {"to": "+14155550134", "body": "Order WM-104233 is on its way with UPS."}
    wrong = {"to": "+14155550134", "body": "Which order do you mean?"}
    http = FakeHttp(200, [[earlier], [earlier, wrong]])
    assert sms._turn(http, run, "+14155550134", STATUS, 0)  # type: ignore[arg-type]
    assert run.failures == {"answer without 'WM-104233'": 1}


def test_a_reply_in_parts_is_read_until_the_expected_text_shows() -> None:
    sms, run = shoppers(), SmsRun("10 shoppers", 1, 2.0, 10.0)
    first = {"to": "+14155550134", "body": "Your parcel is on its way."}
    second = {"to": "+14155550134", "body": "Order WM-104233, expected Saturday."}
    http = FakeHttp(200, [[], [first], [first, second]])
    assert sms._turn(http, run, "+14155550134", STATUS, 0)  # type: ignore[arg-type]
    assert run.failures == {}


def test_a_turn_without_a_reply_or_refused_is_an_error_and_ends_the_conversation() -> None:
    sms, run = shoppers(timeout=3 * POLL_S), SmsRun("10 shoppers", 1, 2.0, 10.0)
    assert not sms._turn(FakeHttp(200, [[OLD]]), run, "+14155550134", STATUS, 0)  # type: ignore[arg-type]
    assert not sms._turn(FakeHttp(403, [[OLD]]), run, "+14155550134", STATUS, 1)  # type: ignore[arg-type]
    wrong = {"to": "+14155550134", "body": "Which order do you mean?"}
    sms.timeout = 5.0
    assert sms._turn(FakeHttp(200, [[], [wrong]]), run, "+14155550134", STATUS, 2)  # type: ignore[arg-type]
    assert run.failures == {"no reply": 1, "HTTP 403": 1, "answer without 'WM-104233'": 1}
    assert [r.ok for r in run.records] == [False, False, False]
    assert len(run.replies) == 1  # only the turn that was answered, however wrongly


def test_one_phone_a_shopper() -> None:
    with pytest.raises(ValueError, match="one each"):
        shoppers().run("2 shoppers", 2, 2.0, 1.0)


def test_the_sms_summary_has_ack_and_reply_percentiles() -> None:
    run = SmsRun("10 shoppers", 10, 2.0, 20.0)
    run.records = [Record(0.0, s / 1000, s != 100, 0) for s in range(1, 101)]
    run.replies = [s / 100 for s in range(1, 21)]
    run.failures = {"no reply": 1}
    run.polls = 400
    summary = run.summary()
    assert summary["turns"] == 100 and summary["errors"] == 1
    assert summary["error_kinds"] == {"no reply": 1}
    assert (summary["ack_p50_ms"], summary["ack_p95_ms"], summary["ack_max_ms"]) == (
        50.0,
        95.0,
        100.0,
    )
    assert (summary["reply_p50_ms"], summary["reply_p95_ms"]) == (100.0, 190.0)
    assert summary["replies"] == 20
    assert summary["turns_per_s"] == 5.0 and summary["polls_per_s"] == 20.0
    assert "p95_ms" not in summary  # acknowledgement and reply, never one unnamed time


def test_the_update_scan_is_added_to_every_parcel_and_nothing_else() -> None:
    parcels = subscribed_parcels(NOW, 3)
    moved = out_for_delivery(parcels, NOW)
    assert moved["orders"] == []
    for before, after in zip(parcels["tracking"], moved["tracking"], strict=True):
        assert after["tracking_number"] == before["tracking_number"]
        assert after["events"][:-1] == before["events"]
        assert after["events"][-1]["status"] == "out_for_delivery"
        assert after["events"][-1]["time"] == NOW.isoformat()


def test_only_out_for_delivery_texts_to_the_parcels_phones_count() -> None:
    messages = [
        {"to": "+15550900000", "body": "Woodland Market: order WM-900000: Out for delivery."},
        {"to": "+15550900000", "body": "Woodland Market: order WM-900000: Out for delivery."},
        {"to": "+15550900001", "body": "Order WM-900001 is on its way."},
        {"to": "+14155550134", "body": "Woodland Market: order WM-104233: Out for delivery."},
    ]
    assert updates_by_phone(messages, ["+15550900000", "+15550900001"]) == {
        "+15550900000": 2,
        "+15550900001": 0,
    }


ENV = {"NOTIFIER_INTERVAL_SECONDS": "1", "SANDBOX_WEBHOOK_SECONDS": "1"}


def test_changes_per_second_are_the_parcels_over_the_seconds_until_the_last_text() -> None:
    counts = {f"+1555{i:07d}": 1 for i in range(4)}
    figures = throughput(counts, [1.0, 1.5, 2.0, 2.5], 0, ENV)
    assert figures["changes_per_s"] == 1.6  # 4 parcels in 2.5 s
    assert figures["sending_per_s"] == 2.0  # 3 more texts in 1.5 s after the first
    assert (figures["first_s"], figures["all_s"]) == (1.0, 2.5)
    assert (figures["updated"], figures["twice_or_more"]) == (4, 0)
    assert (figures["notifier_interval_s"], figures["webhook_interval_s"]) == (1.0, 1.0)


def test_an_incomplete_or_doubled_delivery_shows_in_the_figures() -> None:
    counts = {"+15550000001": 2, "+15550000002": 1, "+15550000003": 0}
    figures = throughput(counts, [1.0, 2.0], 1, ENV)
    assert figures["updated"] == 2 and figures["twice_or_more"] == 1
    assert figures["all_s"] is None and figures["changes_per_s"] is None
    assert figures["other_texts"] == 1


def sms_run(name: str, ack_p95: float | None, errors: int = 0) -> dict[str, Any]:
    return {
        "name": name,
        "turns": 40,
        "errors": errors,
        "error_kinds": {"no reply": errors} if errors else {},
        "ack_p50_ms": 5.0,
        "ack_p95_ms": ack_p95,
        "ack_max_ms": 300.0,
        "reply_p50_ms": 80.0,
        "reply_p95_ms": 400.0,
        "poll_ms": 50,
    }


NOTIFIER = throughput({f"+1555{i:07d}": 1 for i in range(100)}, [1.0] * 99 + [4.0], 0, ENV)


def results(phones: dict[str, Any] | None) -> dict[str, Any]:
    ours: dict[str, Any] = {
        "runs": [
            {"name": n, "turns": 10, "errors": 0, "turns_per_s": 1.0, "p50_ms": 20.0}
            | {"p95_ms": 40.0, "p99_ms": 60.0}
            for n in ("10 shoppers", "saturation")
        ],
        "peak_rss_mib": {"rasa": 1000.0},
    }
    if phones is not None:
        ours["phones"] = phones
    return {"machine": {}, "wismo": ours}


def test_the_ack_target_is_judged_at_ten_shoppers_only() -> None:
    assert report.sms_ack_verdict(sms_run("10 shoppers", 200.0)) == "met"
    assert report.sms_ack_verdict(sms_run("10 shoppers", 200.1)) == "missed"
    assert report.sms_ack_verdict(sms_run("50 shoppers", 900.0)) == "n/a"
    assert report.sms_ack_verdict(sms_run("10 shoppers", None)) == "n/a"


def test_the_table_has_each_sms_load_and_the_notifier_with_its_bounds() -> None:
    phones = {
        "sms_runs": [sms_run("10 shoppers", 250.0, errors=2), sms_run("50 shoppers", 900.0)],
        "notifier": NOTIFIER,
    }
    lines = report.table(results(phones)).splitlines()
    assert (
        "sms, 10 shoppers: 40 turns, 2 errors (no reply 2); acknowledged p50 5, p95 250, max 300"
        " ms (target p95 <= 200 ms at 10 shoppers: missed); reply p50 80, p95 400 ms"
        " (polled every 50 ms)"
    ) in lines
    assert any(line.startswith("sms, 50 shoppers:") and "target" not in line for line in lines)
    assert (
        "notifier: 100 of 100 parcels texted, all after 4.0 s from the import (first 1.0 s):"
        " 25.0 changes/s, sending 33.0/s; 0 texted twice"
    ) in lines
    assert (
        "  the sandbox's webhooks every 1 s and the notifier's round every 1 s bound the wait"
        " for the first text"
    ) in lines


def test_the_summary_line_adds_the_phones_only_when_they_ran() -> None:
    assert report.summary_line(results(None)) == "throughput_ratio=n/a p95_ms=40 rss_mib=1000"
    phones = {"sms_runs": [sms_run("10 shoppers", 120.0)], "notifier": NOTIFIER}
    assert report.summary_line(results(phones)) == (
        "throughput_ratio=n/a p95_ms=40 rss_mib=1000 sms_ack_p95_ms=120 sms_ack_target=met"
        " sms_reply_p95_ms=400 notifier_changes_per_s=25.0"
    )
    assert not report._phone_lines(None)
