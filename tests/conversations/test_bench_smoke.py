"""A tiny `make bench`: shoppers hold whole conversations against the test stack.

The real benchmark runs for minutes with 10 and 50 shoppers; this keeps its
parts working. It asserts what the shoppers got, never how fast.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from bench import report
from bench.handoff import handoff_times
from bench.load import Shoppers, wismo_scripts
from bench.run import load_runs, parse_args
from bench.widget import WidgetShoppers
from tests.support.chat import NOW
from tests.support.stack import Stack

pytestmark = pytest.mark.conversation


def test_shoppers_complete_whole_conversations_without_errors(stack: Stack) -> None:
    shoppers = Shoppers(stack.rest_url, wismo_scripts(datetime.fromisoformat(NOW)))
    run = shoppers.run("2 shoppers", shoppers=2, think=0.1, seconds=6).summary()
    assert run["turns"] >= 4, run
    assert run["errors"] == 0, run["error_kinds"]
    assert run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"] <= run["max_ms"]


def test_widget_shoppers_complete_whole_conversations_over_socket_io(stack: Stack) -> None:
    scripts = wismo_scripts(datetime.fromisoformat(NOW))
    shoppers = WidgetShoppers(stack.base_url, stack.web_url, scripts)
    run = shoppers.run("2 shoppers", shoppers=2, think=0.1, seconds=6).summary()
    assert run["turns"] >= 4, run
    assert run["errors"] == 0, run["error_kinds"]


def test_handoffs_show_in_the_agents_queue_and_are_closed_after(stack: Stack) -> None:
    figures = handoff_times(stack, shoppers=2, at_once=2, polls=5)
    for run in figures["runs"]:
        assert run["handoffs"] == 2, run
        assert run["errors"] == 0, run["error_kinds"]
        assert run["never_queued"] == 0, run
        assert run["queue_p50_ms"] <= run["queue_max_ms"] < run["page_max_ms"]
    assert figures["queue_poll"]["polls"] == 5
    assert figures["queue_poll"]["failed"] == 0
    assert figures["closed"] == 4  # every ticket the bench opened stood, and is closed


def test_the_report_reads_its_own_figures(stack: Stack, tmp_path: Path) -> None:
    shoppers = Shoppers(stack.rest_url, wismo_scripts(datetime.fromisoformat(NOW)))
    runs = [
        shoppers.run("10 shoppers", shoppers=1, think=0.1, seconds=2).summary(),
        shoppers.run("saturation", shoppers=1, think=0.0, seconds=2).summary(),
    ]
    results = {
        "machine": {"cpus": 2, "memory_gib": 24.0, "when": "2026-11-23T12:00:00+00:00"},
        "wismo": {"runs": runs, "peak_rss_mib": stack.peak_rss_mib()},
    }
    report.chart(results, tmp_path / "bench.png")
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    line = report.summary_line(results)
    assert re.fullmatch(r"throughput_ratio=n/a p95_ms=\d+ rss_mib=\d+", line), line
    assert "rasa" in report.table(results) or "10 shoppers" in report.table(results)


def test_the_saturation_run_tells_what_a_turn_cost_each_process(stack: Stack) -> None:
    args = parse_args(["--seconds", "4", "--shoppers", "10", "--saturation-shoppers", "2"])
    runs = load_runs(stack, wismo_scripts(datetime.fromisoformat(NOW)), args)
    per_turn = runs[-1]["cpu_ms_per_turn"]
    assert runs[-1]["name"] == "saturation" and runs[-1]["errors"] == 0
    # Every turn goes through Rasa and this conversation's turns call the action server.
    assert per_turn["rasa"] > 0 and per_turn["actions"] > 0 and per_turn["load generator"] > 0
    line = report.table({"wismo": {"runs": runs, "peak_rss_mib": stack.peak_rss_mib()}})
    [cpu] = [row for row in line.splitlines() if row.startswith("wismo CPU ms per turn")]
    assert re.search(r"\brasa [\d.]+,", cpu) and re.search(r"\bactions [\d.]+,", cpu), cpu


def test_both_servers_start_warm_with_what_they_loaded_kept_out_of_garbage_collection(
    stack: Stack,
) -> None:
    rasa_log = (stack.workdir / "rasa.log").read_text(errors="replace")
    actions_log = (stack.workdir / "actions.log").read_text(errors="replace")
    assert re.search(r"Warmed up on \d+ messages", rasa_log)
    assert frozen(rasa_log) > 100_000  # the model: a full collection of it stalled Rasa ~300 ms
    assert frozen(actions_log) > 10_000


def frozen(log: str) -> int:
    found = re.search(r"Froze (\d+) objects", log)
    assert found, log[-2000:]
    return int(found.group(1))
