"""`make bench`: speed, memory and cost, side by side with a stock `rasa init` bot.

    python -m bench.run [--seconds 60] [--orders 1000000] [--out var/bench]

In one run: our stack and the stock bot each start, answer a first message,
and from that moment carry 10 and then 50 shoppers who pause 2 s between
turns on average (1 to 3 s, drawn anew each time: see bench.load), then a
saturation run with no pauses; the same 10 and 50 shoppers through the website
widget's socket.io (bench.widget), beside REST; the same loads texting by SMS
through the Twilio webhook (bench.phones) and the notifier turning 100 status
changes into texts (bench.notifier); shoppers handing off to a person, timed until
their tickets show in the agents' console queue (bench.handoff); peak memory of each
server; a burst of 100 shoppers asking about one parcel at once; what the pretrained
sentence encoder costs a message, and its memory (bench.encoder); `rasa train` from
scratch; `make run` to the first answer; the order store at scale. Figures go
to bench.json and bench.png; the last line is the summary scripts read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from bench import encoder, report, store, trends
from bench.copies import import_document
from bench.handoff import handoff_times
from bench.load import (
    Shoppers,
    Turn,
    burst,
    policy_scripts,
    stock_scripts,
    varied_scripts,
    wismo_scripts,
)
from bench.notifier import notifier_throughput
from bench.paired import paired_saturation
from bench.phones import SmsShoppers, shopper_phones, sms_loads
from bench.stock import stock_bot, train_seconds
from bench.widget import WidgetShoppers
from bot.demo import build_demo
from tests.nlu.test_heldout import HELDOUT, STYLES, nlu_messages
from tests.support.stack import ROOT, Stack, free_port, start_rasa, start_wismo

Json = dict[str, Any]
NOW = "2026-11-20T15:00:00-05:00"
DEFAULT_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/wismo_bench_store"
LOAD_GENERATOR = "load generator"  # this process: the shoppers' threads
BURST_ORDER = "WM-104194"  # a delivered background order none of the load scripts ask about


def load_runs(
    stack: Stack, scripts: Iterator[Sequence[Turn]], args: argparse.Namespace
) -> list[Json]:
    """From the first answer on: 10 shoppers, 50 shoppers, then saturation."""
    shoppers = Shoppers(stack.rest_url, scripts, spread=args.spread)
    runs = [shoppers.run(f"{n} shoppers", n, args.think, args.seconds) for n in args.shoppers]
    summaries = [run.summary() for run in runs]
    before = {**stack.cpu_seconds(), LOAD_GENERATOR: _own_cpu_seconds()}
    saturation = shoppers.run("saturation", args.saturation_shoppers, 0.0, args.seconds / 2)
    after = {**stack.cpu_seconds(), LOAD_GENERATOR: _own_cpu_seconds()}
    return [
        *summaries,
        {**saturation.summary(), "cpu_ms_per_turn": _per_turn(before, after, saturation.records)},
    ]


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _per_turn(before: dict[str, float], after: dict[str, float], turns: Sequence[object]) -> Json:
    """Each process's CPU time over a run, per turn answered, in ms (idle ones left out)."""
    if not turns:
        return {}
    used = {name: 1000 * (after[name] - before.get(name, 0.0)) / len(turns) for name in after}
    return {name: round(ms, 2) for name, ms in used.items() if ms >= 0.01}


def widget_runs(
    stack: Stack, now: datetime, args: argparse.Namespace
) -> tuple[list[Json], list[Json]]:
    """The REST runs' shoppers, pauses and scripts through the website widget's socket.io,
    each load paired with a REST run just before it on the same warm stack: the widget's
    p95 is compared with that one (the first REST runs above also carry the warm-up)."""
    rest = Shoppers(stack.rest_url, wismo_scripts(now), spread=args.spread)
    widget = WidgetShoppers(stack.base_url, stack.web_url, wismo_scripts(now), spread=args.spread)
    paired, runs = [], []
    for n in args.shoppers:
        paired.append(rest.run(f"{n} shoppers", n, args.think, args.seconds).summary())
        runs.append(widget.run(f"{n} shoppers", n, args.think, args.seconds).summary())
    return runs, paired


def phone_runs(stack: Stack, now: datetime, args: argparse.Namespace) -> Json:
    """Shoppers texting by SMS at the REST runs' loads (at least 10), the REST runs' pauses;
    then the notifier's throughput, once the shoppers are done."""
    loads = sms_loads(args.shoppers)
    phones, made = shopper_phones(now, max(loads))
    import_document(stack, made)  # orders of their own for shoppers beyond the demo's phones
    sms = SmsShoppers.on(stack, phones, spread=args.spread)
    runs = [sms.run(f"{n} shoppers", n, args.think, args.seconds).summary() for n in loads]
    return {"sms_runs": runs, "notifier": notifier_throughput(stack, now)}


def measure_wismo(workdir: Path, args: argparse.Namespace, stock: Stack | None = None) -> Json:
    """Our stack's runs; with the stock bot's stack still up, the paired saturation last."""
    stack = start_wismo(workdir, {"WISMO_NOW": NOW})
    try:
        first = stack.wait_for_first_answer()
        _say(f"wismo answers after {first:.1f} s; load begins")
        runs = load_runs(stack, wismo_scripts(datetime.fromisoformat(NOW)), args)
        now = datetime.fromisoformat(NOW)
        widget: list[Json] = []
        paired: list[Json] = []
        if "widget" not in args.skip:
            _say("the same shoppers through the widget's socket.io, each beside a REST run")
            widget, paired = widget_runs(stack, now, args)
        phones: Json = {}
        if "phones" not in args.skip:
            _say("shoppers texting by SMS, then the notifier's throughput")
            phones = phone_runs(stack, now, args)
        handoff: Json = {}
        if "handoff" not in args.skip:
            _say("shoppers handing off, timed until their tickets show in the console's queue")
            handoff = handoff_times(stack)
        policy = Shoppers(stack.rest_url, policy_scripts(now), spread=args.spread)
        policy_run = policy.run("10, policy", 10, args.think, args.seconds).summary()
        varied = Shoppers(stack.rest_url, varied_scripts(now, varied_openers()), spread=args.spread)
        varied_run = varied.run("new wording", args.saturation_shoppers, 0.0, args.seconds / 2)
        carrier = tracking_burst(stack, args.burst)
        paired_run: Json = {}
        if stock is not None and args.paired_rounds:
            _say(f"saturation, the stock bot's and ours in turns ({args.paired_rounds} rounds)")
            paired_run = paired_saturation(
                Shoppers(stock.rest_url, stock_scripts(), spread=args.spread),
                Shoppers(stack.rest_url, wismo_scripts(now), spread=args.spread),
                args.saturation_shoppers,
                args.seconds / 2,
                args.paired_rounds,
            )
        return {
            "start_to_first_answer_s": round(first, 1),
            "runs": runs,
            **({"widget_runs": widget, "widget_rest_runs": paired} if widget else {}),
            **({"phones": phones} if phones else {}),
            **({"handoff": handoff} if handoff else {}),
            "policy_runs": [policy_run],
            "varied_runs": [varied_run.summary()],
            "burst": carrier,
            **({"paired_saturation": paired_run} if paired_run else {}),
            "peak_rss_mib": _rounded(stack.peak_rss_mib()),
        }
    finally:
        stack.stop()


def varied_openers() -> list[str]:
    """The held-out sets' where-is-my-order questions that name no order or other entity."""
    return [
        m.text
        for path in (HELDOUT, STYLES)
        for m in nlu_messages(path)
        if m.intent == "order_status" and not m.entities
    ]


def measure_stock(workdir: Path, model: Path, args: argparse.Namespace) -> tuple[Json, Stack]:
    """The stock bot's runs; its stack is left up for the paired saturation (the caller
    stops it)."""
    stack = start_rasa(args.out / "stock", model, workdir)
    try:
        first = stack.wait_for_first_answer()
        _say(f"stock bot answers after {first:.1f} s; load begins")
        runs = load_runs(stack, stock_scripts(), args)
        return {
            "start_to_first_answer_s": round(first, 1),
            "runs": runs,
            "peak_rss_mib": _rounded(stack.peak_rss_mib()),
        }, stack
    except BaseException:
        stack.stop()
        raise


def tracking_burst(stack: Stack, count: int) -> Json:
    """`count` shoppers, verified, ask about one parcel at the same moment."""
    order = next(
        o
        for o in build_demo(datetime.fromisoformat(NOW))["orders"]
        if o["order_number"] == BURST_ORDER
    )
    parcel = order["shipments"][0]["tracking_number"]
    stats_url = f"http://127.0.0.1:{stack.env['SANDBOX_PORT']}/_sandbox/stats"
    before = requests.get(stats_url, timeout=5).json()["by_tracking_code"].get(parcel, 0)
    senders = [f"burst-{i}-{time.monotonic_ns()}" for i in range(count)]
    for sender in senders:
        stack.say(sender, f"where is my order {BURST_ORDER}")
    answers = burst(lambda i: stack.say(senders[i], order["customer"]["email"]), count)
    after = requests.get(stats_url, timeout=5).json()["by_tracking_code"].get(parcel, 0)
    answered = sum(BURST_ORDER in " ".join(str(m.get("text")) for m in a) for a in answers)
    return {"questions": count, "answered": answered, "carrier_requests": after - before}


def order_store(args: argparse.Namespace) -> Json:
    """The order store at scale, on SQLite and PostgreSQL (bench.store)."""
    out = args.out / "store.json"
    store.main(
        [
            "--orders",
            str(args.orders),
            "--out",
            str(out),
            "--data",
            str(args.out),
            "--sqlite",
            str(args.out / "store.db"),
            "--postgres",
            args.postgres,
        ]
    )
    figures: Json = json.loads(out.read_text())
    return figures


def make_run_to_first_answer(workdir: Path) -> float:
    """Seconds from `make run` (installed and trained) to the first REST answer."""
    port = free_port()
    env = {
        **os.environ,
        "RASA_PORT": str(port),
        "ACTIONS_PORT": str(free_port()),
        "SANDBOX_PORT": str(free_port()),
        "DATABASE_URL": f"sqlite:///{workdir / 'make-run.db'}",
    }
    env["EASYPOST_API_URL"] = f"http://127.0.0.1:{env['SANDBOX_PORT']}/v2"
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    started = time.monotonic()
    with (workdir / "make-run.log").open("wb") as log:
        proc = subprocess.Popen(
            ["make", "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _until(lambda: _answers(url), 600, proc)
            return time.monotonic() - started
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _answers(url: str) -> bool:
    try:
        return bool(requests.post(url, json={"sender": "t", "message": "hi"}, timeout=5).json())
    except (requests.RequestException, ValueError):
        return False


def _until(check: Callable[[], bool], timeout: float, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("`make run` did not answer; see make-run.log")
        time.sleep(0.25)


def _rounded(figures: dict[str, float]) -> dict[str, float]:
    return {name: round(value, 1) for name, value in figures.items()}


def _say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def machine() -> Json:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "memory_gib": _memory_gib(),
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024**2, 1)
    return 0.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--seconds", type=float, default=60.0, help="per load run")
    parser.add_argument("--shoppers", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between turns")
    parser.add_argument(
        "--spread", type=float, default=0.5, help="pauses vary by this share of --think"
    )
    parser.add_argument("--saturation-shoppers", type=int, default=8)
    parser.add_argument(
        "--paired-rounds",
        type=int,
        default=4,
        help="rounds of the stock bot's and our saturation taken in turns (0: none)",
    )
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=[
            *("train", "make-run", "store", "stock", "encoder", "widget", "phones", "handoff"),
            "report",
        ],
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results: Json = {"machine": machine(), "settings": {k: str(v) for k, v in vars(args).items()}}
    with tempfile.TemporaryDirectory(prefix="wismo-bench-") as tmp:
        work = Path(tmp)
        stock: Stack | None = None
        try:
            if "stock" not in args.skip:
                model, init_s = stock_bot(args.out / "stock")
                results["stock"], stock = measure_stock(_dir(work, "stock"), model, args)
                results["stock"]["rasa_init_s"] = init_s and round(init_s, 1)
            results["wismo"] = measure_wismo(_dir(work, "wismo"), args, stock)
        finally:
            if stock is not None:
                stock.stop()
        if "encoder" not in args.skip:
            results["encoder"] = encoder.measure()
        if "make-run" not in args.skip:
            results["make_run_to_first_answer_s"] = round(make_run_to_first_answer(work), 1)
        if "train" not in args.skip:
            _say("training from scratch")
            results["train_from_scratch_s"] = round(train_seconds(), 1)
        if "store" not in args.skip:
            results["store"] = order_store(args)
        if "report" not in args.skip:
            _say("the trends report over 100,000 conversations")
            results["report"] = trends.measure(_dir(work, "report"))
    (args.out / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    report.chart(results, args.out / "bench.png")
    print(report.table(results))
    print(report.summary_line(results))
    return 0


def _dir(parent: Path, name: str) -> Path:
    path = parent / name
    path.mkdir()
    return path


if __name__ == "__main__":
    raise SystemExit(main())
