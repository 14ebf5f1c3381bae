"""The figures of `make bench` as a table, a chart and one summary line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bench import trends  # noqa: E402

Json = dict[str, Any]
BOTS = ("wismo", "stock")
COLOURS = {"wismo": "#2f6f4e", "widget": "#7fb99a", "stock": "#b0b0b0"}
WIDGET_P95_TARGET = 1.20  # the widget's p95 within 20 % of REST's
SMS_ACK_P95_TARGET_MS = 200.0  # the Twilio webhook's acknowledgement, p95 ...
SMS_TARGET_LOAD = "10 shoppers"  # ... at this load
HANDOFF_HEADLINE_RUN = "one after another"  # the hand-offs the summary line speaks for


def run_named(side: Json, name: str, key: str = "runs") -> Json:
    return next(run for run in side[key] if run["name"] == name)


def widget_p95_ratios(results: Json) -> dict[str, float | None]:
    """Per load (run name): the widget's (socket.io) p95 over REST's, from the REST run made
    just before it on the same warm stack (`widget_rest_runs`)."""
    ours = results.get("wismo", {})
    rest = {run["name"]: run for run in ours.get("widget_rest_runs", [])}
    ratios: dict[str, float | None] = {}
    for run in ours.get("widget_runs", []):
        base = rest.get(run["name"], {}).get("p95_ms")
        ratios[run["name"]] = (
            round(run["p95_ms"] / base, 2) if base and run["p95_ms"] is not None else None
        )
    return ratios


def sms_ack_verdict(run: Json) -> str:
    """Whether an SMS run met the acknowledgement target: met, missed, or n/a (not that load)."""
    p95 = run.get("ack_p95_ms")
    if run["name"] != SMS_TARGET_LOAD or p95 is None:
        return "n/a"
    return "met" if p95 <= SMS_ACK_P95_TARGET_MS else "missed"


def figures(results: Json) -> Json:
    """The headline figures: ours over the stock bot's, where there is one."""
    ours = results["wismo"]
    headline: Json = {
        "p95_ms": run_named(ours, "10 shoppers")["p95_ms"],
        "rss_mib": ours["peak_rss_mib"]["rasa"],
        "throughput": run_named(ours, "saturation")["turns_per_s"],
    }
    if "stock" in results:
        stock = results["stock"]
        sequential = round(
            headline["throughput"] / run_named(stock, "saturation")["turns_per_s"], 2
        )
        # Taken in turns on both warm stacks when there is such a run: a drifting machine
        # weighs on both alike (bench.paired); the runs minutes apart are kept beside it.
        paired = ours.get("paired_saturation", {}).get("ratio")
        headline["throughput_ratio"] = paired if paired is not None else sequential
        headline["throughput_ratio_sequential"] = sequential
        headline["p95_ratio"] = round(
            headline["p95_ms"] / run_named(stock, "10 shoppers")["p95_ms"], 2
        )
        if ours.get("varied_runs"):
            # Every opener in new words: no turn's sentence vector comes from the cache.
            headline["new_wording_throughput_ratio"] = round(
                ours["varied_runs"][0]["turns_per_s"]
                / run_named(stock, "saturation")["turns_per_s"],
                2,
            )
    ratios = widget_p95_ratios(results)
    if "10 shoppers" in ratios:
        headline["widget_p95_ms"] = run_named(ours, "10 shoppers", "widget_runs")["p95_ms"]
        headline["widget_p95_ratio"] = ratios["10 shoppers"]
    phones = ours.get("phones")
    if phones:
        sms = next((r for r in phones["sms_runs"] if r["name"] == SMS_TARGET_LOAD), None)
        if sms is not None:
            headline["sms_ack_p95_ms"] = sms["ack_p95_ms"]
            headline["sms_ack_target"] = sms_ack_verdict(sms)
            headline["sms_reply_p95_ms"] = sms["reply_p95_ms"]
        headline["notifier_changes_per_s"] = phones["notifier"]["changes_per_s"]
    handoff = ours.get("handoff")
    if handoff:
        run = run_named(handoff, HANDOFF_HEADLINE_RUN)
        headline["handoff_reply_p95_ms"] = run["reply_p95_ms"]
        headline["handoff_queue_p95_ms"] = run["queue_p95_ms"]
        headline["handoff_queue_poll_p95_ms"] = handoff["queue_poll"]["p95_ms"]
    for run in results.get("report", {}).get("runs", []):
        headline[f"report_{run['days']}d_ms"] = run["best_ms"]  # over 100,000 conversations
    return headline


def summary_line(results: Json) -> str:
    headline = figures(results)
    ratio = headline.get("throughput_ratio")
    line = (
        f"throughput_ratio={'n/a' if ratio is None else f'{ratio:.2f}'} "
        f"p95_ms={headline['p95_ms']:.0f} rss_mib={headline['rss_mib']:.0f}"
    )
    if "widget_p95_ratio" in headline:
        widget_ms, widget_ratio = headline["widget_p95_ms"], headline["widget_p95_ratio"]
        line += (
            f" widget_p95_ms={'n/a' if widget_ms is None else f'{widget_ms:.0f}'}"
            f" widget_p95_ratio={'n/a' if widget_ratio is None else f'{widget_ratio:.2f}'}"
        )
    if "sms_ack_p95_ms" in headline:
        line += (
            f" sms_ack_p95_ms={_number(headline['sms_ack_p95_ms'])}"
            f" sms_ack_target={headline['sms_ack_target']}"
            f" sms_reply_p95_ms={_number(headline['sms_reply_p95_ms'])}"
        )
    if "notifier_changes_per_s" in headline:
        line += f" notifier_changes_per_s={_number(headline['notifier_changes_per_s'], '.1f')}"
    if "handoff_queue_p95_ms" in headline:
        line += (
            f" handoff_reply_p95_ms={_number(headline['handoff_reply_p95_ms'])}"
            f" handoff_queue_p95_ms={_number(headline['handoff_queue_p95_ms'])}"
            f" handoff_queue_poll_p95_ms={_number(headline['handoff_queue_poll_p95_ms'])}"
        )
    if "report_30d_ms" in headline:
        line += f" report_7d_ms={_number(headline.get('report_7d_ms'))}"
        line += f" report_30d_ms={_number(headline['report_30d_ms'])}"
    return line


def table(results: Json) -> str:
    lines = [
        f"{'bot':<7}{'run':<14}{'turns':>7}{'err':>5}{'turns/s':>9}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    ]
    for bot in BOTS:
        side = results.get(bot, {})
        extra = [*side.get("policy_runs", []), *side.get("varied_runs", [])]
        rows = [(bot, run) for run in side.get("runs", [])]
        rows += [("widget", run) for run in side.get("widget_runs", [])]  # beside REST's
        rows += [(bot, run) for run in extra]
        for label, run in rows:
            lines.append(
                f"{label:<7}{run['name']:<14}{run['turns']:>7}{run['errors']:>5}"
                f"{run['turns_per_s']:>9.1f}{_ms(run['p50_ms'])}{_ms(run['p95_ms'])}"
                f"{_ms(run['p99_ms'])}"
            )
    lines += _widget_lines(results)
    lines += _phone_lines(results.get("wismo", {}).get("phones"))
    lines += _handoff_lines(results.get("wismo", {}).get("handoff"))
    lines += trends.lines(results.get("report"))
    for bot in BOTS:
        if bot in results:
            rss = ", ".join(f"{k} {v:.0f}" for k, v in results[bot]["peak_rss_mib"].items())
            lines.append(f"{bot} peak RSS MiB: {rss}")
    lines += _cpu_lines(results)
    if "burst" in results.get("wismo", {}):
        b = results["wismo"]["burst"]
        lines.append(
            f"burst: {b['questions']} questions, {b['answered']} answered, "
            f"{b['carrier_requests']} carrier request(s)"
        )
    paired = results.get("wismo", {}).get("paired_saturation")
    if paired:
        lines.append(
            f"saturation in turns ({paired['rounds']} rounds of {paired['window_s']:.0f} s, "
            f"ABBA): stock {paired['stock_turns_per_s']} turns/s, ours "
            f"{paired['wismo_turns_per_s']}; ratio {_number(paired['ratio'], '.2f')} "
            f"(per round {paired['round_ratios']}), {paired['errors']} errors"
        )
    headline = figures(results)
    keys = ("throughput_ratio", "throughput_ratio_sequential", "new_wording_throughput_ratio")
    for key in (*keys, "widget_p95_ratio"):
        if key in headline:
            lines.append(f"{key}: {_number(headline[key], '.2f')}")
    if "encoder" in results:
        e = results["encoder"]
        lines.append(
            f"sentence encoder: {e['ms_per_message_median']:.1f} ms a message (median,"
            f" p95 {e['ms_per_message_p95']:.1f}, {e['messages']} held-out messages one by one),"
            f" +{e['rss_added_mib']:.0f} MiB, loads in {e['load_s']:.1f} s"
        )
    for key in ("train_from_scratch_s", "make_run_to_first_answer_s"):
        if key in results:
            lines.append(f"{key}: {results[key]}")
    return "\n".join(lines)


def _cpu_lines(results: Json) -> list[str]:
    """What a turn at saturation cost each process in CPU time: where the machine goes."""
    lines = []
    for bot in BOTS:
        runs = results.get(bot, {}).get("runs", [])
        per_turn = next((r["cpu_ms_per_turn"] for r in runs if r.get("cpu_ms_per_turn")), None)
        if per_turn:
            parts = ", ".join(f"{name} {ms:.1f}" for name, ms in per_turn.items())
            lines.append(
                f"{bot} CPU ms per turn at saturation: {parts}; all {sum(per_turn.values()):.1f}"
            )
    return lines


def _widget_lines(results: Json) -> list[str]:
    """The widget's p95 beside REST's for each load, and whether its client kept up."""
    ours = results.get("wismo", {})
    ratios = widget_p95_ratios(results)
    lines = []
    for run in ours.get("widget_runs", []):
        name, ratio = run["name"], ratios.get(run["name"])
        rest: Json = next((r for r in ours.get("widget_rest_runs", []) if r["name"] == name), {})
        verdict = "" if ratio is None else (" ok" if ratio <= WIDGET_P95_TARGET else " OVER")
        lines.append(
            f"widget vs REST, {name}: p95 {_number(run['p95_ms'])} vs "
            f"{_number(rest.get('p95_ms'))} ms, ratio {_number(ratio, '.2f')}"
            f" (target <= {WIDGET_P95_TARGET:.2f}){verdict}"
        )
        client = run.get("client")
        if client:
            lines.append(
                f"  widget client: {_number(client['cpu_share'], '.2f')} of a core,"
                f" loop lag p99 {_number(client['loop_lag_p99_ms'], '.1f')} ms"
                f" (max {_number(client['loop_lag_max_ms'], '.1f')}),"
                f" session and socket p95 {_number(client['setup_p95_ms'])} ms"
            )
    return lines


def _phone_lines(phones: Json | None) -> list[str]:
    """Each SMS load's acknowledgement and reply times, then the notifier's throughput."""
    if not phones:
        return []
    lines = []
    for run in phones["sms_runs"]:
        kinds = ", ".join(f"{k} {n}" for k, n in run["error_kinds"].items())
        target = f"target p95 <= {SMS_ACK_P95_TARGET_MS:.0f} ms at {SMS_TARGET_LOAD}"
        verdict = sms_ack_verdict(run)
        lines.append(
            f"sms, {run['name']}: {run['turns']} turns, {run['errors']} errors"
            f"{f' ({kinds})' if kinds else ''}; acknowledged p50 {_number(run['ack_p50_ms'])},"
            f" p95 {_number(run['ack_p95_ms'])}, max {_number(run['ack_max_ms'])} ms"
            f"{'' if verdict == 'n/a' else f' ({target}: {verdict})'};"
            f" reply p50 {_number(run['reply_p50_ms'])}, p95 {_number(run['reply_p95_ms'])} ms"
            f" (polled every {run['poll_ms']} ms)"
        )
    n = phones["notifier"]
    lines.append(
        f"notifier: {n['updated']} of {n['parcels']} parcels texted, all after"
        f" {_number(n['all_s'], '.1f')} s from the import (first {_number(n['first_s'], '.1f')} s):"
        f" {_number(n['changes_per_s'], '.1f')} changes/s, sending"
        f" {_number(n['sending_per_s'], '.1f')}/s; {n['twice_or_more']} texted twice"
    )
    lines.append(
        f"  the sandbox's webhooks every {n['webhook_interval_s']:g} s and the notifier's round"
        f" every {n['notifier_interval_s']:g} s bound the wait for the first text"
    )
    return lines


def _handoff_lines(handoff: Json | None) -> list[str]:
    """Each hand-off run's reply and queue times, the page's worst case, the poll's cost."""
    if not handoff:
        return []
    lines = []
    for run in handoff["runs"]:
        kinds = ", ".join(f"{k} {n}" for k, n in run["error_kinds"].items())
        lines.append(
            f"handoff, {run['name']}: {run['handoffs']} hand-offs, {run['errors']} errors"
            f"{f' ({kinds})' if kinds else ''}, {run['never_queued']} never queued;"
            f" reply p50 {_number(run['reply_p50_ms'])}, p95 {_number(run['reply_p95_ms'])},"
            f" max {_number(run['reply_max_ms'])} ms; in the queue p50"
            f" {_number(run['queue_p50_ms'])}, p95 {_number(run['queue_p95_ms'])},"
            f" max {_number(run['queue_max_ms'])} ms (polled every {handoff['poll_ms']} ms)"
        )
    refresh_s = handoff["page_refresh_ms"] / 1000
    worst = max((r["page_max_ms"] for r in handoff["runs"] if r["page_max_ms"]), default=None)
    poll = handoff["queue_poll"]
    lines.append(
        f"  the console page asks every {refresh_s:g} s: it shows a ticket up to"
        f" {refresh_s:g} s after the queue does (worst case {_number(worst)} ms)"
    )
    lines.append(
        f"  queue.json with {poll['waiting']} waiting: p50 {_number(poll['p50_ms'])},"
        f" p95 {_number(poll['p95_ms'])}, max {_number(poll['max_ms'])} ms over"
        f" {poll['polls']} polls; the page's redraw p95 {_number(poll['page_p95_ms'])} ms;"
        f" {handoff['closed']} tickets closed after"
    )
    return lines


def _number(value: float | None, spec: str = ".0f") -> str:
    return "n/a" if value is None else format(value, spec)


def _ms(value: float | None) -> str:
    return f"{'-':>9}" if value is None else f"{value:>9.0f}"


def chart(results: Json, path: Path) -> None:
    """Latency per load, throughput, memory and the order store, in one PNG."""
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    _latency(axes[0][0], results)
    _throughput(axes[0][1], results)
    _memory(axes[1][0], results)
    _store(axes[1][1], results.get("store"))
    machine = results["machine"]
    fig.suptitle(
        f"WISMO vs stock rasa init bot: {machine['cpus']} cores, "
        f"{machine['memory_gib']} GiB, {machine['when'][:10]}"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _latency(ax: Any, results: Json) -> None:
    names = [r["name"] for r in results["wismo"]["runs"] if r["name"] != "saturation"]
    series = [("wismo", "wismo", "runs")]
    if results["wismo"].get("widget_runs"):
        series.append(("widget", "wismo", "widget_runs"))  # the same bot, over socket.io
    series += [(bot, bot, "runs") for bot in BOTS[1:] if bot in results]
    width = 0.8 / len(series)
    for offset, (label, bot, key) in enumerate(series):
        by_name = {r["name"]: r for r in results[bot][key]}
        runs = [by_name.get(n, {}) for n in names]
        xs = [i + offset * width for i in range(len(names))]
        ax.bar(
            xs,
            [r.get("p95_ms") or 0 for r in runs],
            width,
            color=COLOURS[label],
            label=f"{label} p95",
        )
        ax.scatter(
            xs,
            [r.get("p50_ms") or 0 for r in runs],
            color="black",
            marker="_",
            s=200,
            zorder=3,
            label="p50" if offset == 0 else None,
        )
    ax.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(names))], names)
    ax.set_ylabel("ms per turn")
    ax.set_title("Latency per turn (pauses of 2 s +/- 50%)")
    ax.legend()


def _throughput(ax: Any, results: Json) -> None:
    bots = [b for b in BOTS if b in results]
    values = [run_named(results[b], "saturation")["turns_per_s"] for b in bots]
    ax.bar(bots, values, color=[COLOURS[b] for b in bots])
    ax.set_ylabel("turns per second")
    ax.set_title("Saturation throughput")


def _memory(ax: Any, results: Json) -> None:
    labels, values, colours = [], [], []
    for bot in (b for b in BOTS if b in results):
        for process, mib in results[bot]["peak_rss_mib"].items():
            labels.append(f"{bot}\n{process}")
            values.append(mib)
            colours.append(COLOURS[bot])
    ax.bar(labels, values, color=colours)
    ax.set_ylabel("MiB")
    ax.set_title("Peak RSS per process")


def _store(ax: Any, store: Json | None) -> None:
    if not store:
        ax.set_axis_off()
        return
    kinds = ("order_number", "email", "tracking_number")
    width = 0.4
    for offset, (backend, numbers) in enumerate(store["backends"].items()):
        xs = [i + offset * width for i in range(len(kinds))]
        ax.bar(
            xs,
            [numbers["lookups"][k]["p99_ms"] for k in kinds],
            width,
            label=f"{backend} p99",
            alpha=0.8,
        )
    ax.set_xticks([i + width / 2 for i in range(len(kinds))], kinds)
    ax.set_ylabel("ms")
    ax.set_title(f"Order lookups at {store['orders']:,} orders")
    ax.legend()
