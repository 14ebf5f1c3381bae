"""The `wismo` command.

Each subcommand is a `Command`: a name, a help line, a function that adds its arguments and a
function `run(args, settings) -> exit status`. To add one (`demo`, `sandbox` ...), write those
two functions and add a `Command` to `COMMANDS`. Errors of the core are turned into a message
and an exit status here, at the edge: 0 done, 1 failed, 2 bad usage or missing input.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.adapters.carriers.sandbox.app import create_app, serve
from bot.adapters.carriers.sandbox.webhooks import WebhookConfig
from bot.adapters.db.claims import SqlClaimStore
from bot.adapters.db.tickets import SqlTicketStore
from bot.adapters.messaging.smtp import serve_mailbox
from bot.bootstrap import build_helpdesk_webhook, build_notifier, build_repository
from bot.channels.messaging_settings import TwilioSettings
from bot.channels.redaction import install as install_redaction
from bot.channels.redaction import redact
from bot.cli_report import report_arguments, run_report
from bot.cli_seed import run_seed, seed_arguments
from bot.cli_users import add_demo_accounts, run_user, user_arguments
from bot.config import Settings, SettingsError, phone_environment
from bot.demo import build_demo, fakes
from bot.demo.fake_graph import FakeGraphConfig
from bot.demo.fake_twilio import FakeTwilioConfig
from bot.domain.claims import Claim, ClaimState
from bot.domain.errors import ImportInvalid, StoreUnavailable
from bot.domain.tickets import Ticket
from bot.domain.wording import money
from bot.services.importing import import_file, parse_document
from bot.web.app import create_app as create_web_app
from bot.web.app import serve as serve_web
from bot.workers import events as events_worker
from bot.workers import notifier as notifier_worker

OK, FAILED, USAGE = 0, 1, 2


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    """A subcommand that takes no arguments."""


@dataclass(frozen=True)
class Command:
    """One `wismo` subcommand."""

    name: str
    help: str
    run: Callable[[argparse.Namespace, Settings], int]
    add_arguments: Callable[[argparse.ArgumentParser], None] = _no_arguments


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a JSON file in the order import format")


def _printable(line: str) -> str:
    """`line` as stderr can write it: what its encoding lacks (a file name's bad bytes) escaped."""
    encoding = sys.stderr.encoding or "utf-8"
    return line.encode(encoding, "backslashreplace").decode(encoding)


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """Load a file of orders and tracking histories; all of it or, if it has problems, none."""
    path: Path = args.file
    if not path.is_file():
        print(_printable(f"wismo import: no such file: {path}"), file=sys.stderr)
        return USAGE
    try:
        summary = import_file(path, build_repository(settings))
    except ImportInvalid as invalid:
        for problem in invalid.problems:
            print(_printable(str(problem)), file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return FAILED
    print(f"imported {summary.orders} orders and {summary.trackings} trackings")
    return OK


def run_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Bring the order store's schema to the latest revision."""
    build_repository(settings)
    print("the order store is up to date")
    return OK


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help="write the demo data set to this file")
    parser.add_argument(
        "--load",
        action="store_true",
        help="import it into the order store, if that is the embedded default (SQLite)",
    )
    parser.add_argument(
        "--anywhere", action="store_true", help="with --load: into a database server too"
    )


def embedded(database_url: str) -> bool:
    """Whether the order store is the embedded default kind (a SQLite file or memory)."""
    return database_url.startswith("sqlite:")


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Make the demo data set for the clock's "now"; write it, load it, or both."""
    if not (args.out or args.load):
        print("wismo demo: say --out FILE, --load, or both", file=sys.stderr)
        return USAGE
    document = build_demo(settings.clock.now())
    if args.out:
        args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {len(document['orders'])} demo orders to {args.out}")
    if args.load and not (args.anywhere or embedded(settings.database_url)):
        print(
            "wismo demo: not loading the demo orders into the configured database server; "
            "--anywhere does"
        )
    elif args.load:
        batch = parse_document(document)
        build_repository(settings).import_batch(batch.orders, batch.trackings)
        print(f"loaded {len(batch.orders)} demo orders and {len(batch.trackings)} trackings")
        logins = add_demo_accounts(settings)
        print(
            f"support console: http://localhost:{settings.web_port}/console ("
            + "; ".join(logins)
            + ")"
        )
    return OK


def _sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, help="port (default: SANDBOX_PORT or 5080)")


def run_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the imported tracking histories over EasyPost's Trackers API."""
    webhooks = WebhookConfig(
        settings.sandbox_webhook_url,
        settings.easypost_webhook_secret,
        settings.sandbox_webhook_seconds,
    )
    app = create_app(
        build_repository(settings), settings.clock, settings.carrier_api_key, webhooks=webhooks
    )
    port = args.port or settings.sandbox_port
    print(f"sandbox carrier on http://{settings.sandbox_host}:{port}/v2", flush=True)
    serve(app, settings.sandbox_host, port)
    return OK


def run_mailbox(args: argparse.Namespace, settings: Settings) -> int:
    """Receive the stack's email on loopback and print it (one-time codes for the demo)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    serve_mailbox(settings.smtp_host, settings.smtp_port)
    return OK


def _web_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, help="port (default: WEB_PORT or 8000)")


def run_web(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the web process: the demo store with the widget, the widget's sessions."""
    port = args.port or settings.web_port
    print(f"web process on http://{settings.web_host}:{port}/", flush=True)
    serve_web(create_web_app(settings), settings.web_host, port, settings.web_trusted_proxy)
    return OK


def _claims_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit", type=int, default=200, help="at most this many claims (default 200)"
    )


def claim_line(claim: Claim) -> str:
    """One claim for the team: what, for which order and parcel, where it stands, by when."""
    amount = money(claim.amount, claim.currency) if claim.amount is not None else "-"
    return "  ".join(
        (
            claim.reference,
            claim.order_number,
            claim.tracking_number or "whole order",
            claim.type,
            claim.remedy,
            amount,
            claim.state,
            f"opened {claim.opened_at.date().isoformat()}",
            f"follow up by {claim.follow_up_on.isoformat()}",
        )
    )


def run_claims(args: argparse.Namespace, settings: Settings) -> int:
    """The claims a person on the team works on: every claim not closed, soonest follow-up
    first; those waiting for a person's decision are marked."""
    if args.limit < 1:
        print("wismo claims: --limit must be 1 or more", file=sys.stderr)
        return USAGE
    repository = build_repository(settings)
    try:
        claims = SqlClaimStore.on(repository.engine).active(args.limit)
    finally:
        repository.dispose()
    waiting = sum(1 for c in claims if c.state is ClaimState.NEEDS_PERSON)
    print(f"{len(claims)} open claim(s), {waiting} waiting for a person's decision")
    for claim in claims:
        print(("* " if claim.state is ClaimState.NEEDS_PERSON else "  ") + claim_line(claim))
    return OK


def ticket_lines(ticket: Ticket) -> list[str]:
    """One ticket for the team: reference, why, who and how verified, then its packet."""
    who = f"verified ({ticket.how})" if ticket.verified else "not verified"
    head = "  ".join(
        (
            ticket.reference,
            ticket.trigger,
            ticket.channel,
            who,
            ticket.order_number or "no order",
            f"since {ticket.created_at.isoformat(timespec='minutes')}",
        )
    )
    lines = [head]
    for parcel in ticket.packet.get("shipments", []):
        lines.append("    parcel " + ", ".join(f"{k}: {v}" for k, v in parcel.items()))
    lines += [f"    bot said: {line}" for line in ticket.packet.get("told", [])]
    if "transcript" in ticket.packet:
        lines.append(f"    transcript: {ticket.packet['transcript']}")
    return [redact(line) for line in lines]  # masked again: never an email, phone or street


def run_tickets(args: argparse.Namespace, settings: Settings) -> int:
    """The hand-off queue: open tickets, oldest first, each with its packet."""
    if args.limit < 1:
        print("wismo tickets: --limit must be 1 or more", file=sys.stderr)
        return USAGE
    repository = build_repository(settings)
    try:
        tickets = SqlTicketStore.on(repository.engine).queue(args.limit)
    finally:
        repository.dispose()
    print(f"{len(tickets)} open ticket(s), oldest first")
    for ticket in tickets:
        print("\n".join(ticket_lines(ticket)))
    return OK


def _notifier_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true", help="run one round, then exit")


def run_notifier(args: argparse.Namespace, settings: Settings) -> int:
    """Send proactive updates (changes, check-backs, risks) and the helpdesk webhooks."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    repository = build_repository(settings)
    notifier = build_notifier(settings, repository)
    helpdesk = build_helpdesk_webhook(settings, repository)
    if args.once:
        notifier_worker.one_round(notifier, settings.clock.now(), helpdesk=helpdesk)
        return OK
    stop = notifier_worker.stop_on_signals()
    print(f"notifier every {settings.notifier_interval_seconds:g}s", flush=True)
    notifier_worker.run(
        notifier,
        settings.clock,
        settings.notifier_interval_seconds,
        stop,
        settings.notifier_sweep_seconds,
        helpdesk,
    )
    return OK


def run_events(args: argparse.Namespace, settings: Settings) -> int:
    """Copy Rasa's conversation events into the order store (bot/workers/events.py)."""
    events_worker.serve(settings, once=args.once)
    return OK


def run_fakes(args: argparse.Namespace, settings: Settings) -> int:
    """Play Twilio's and Meta's APIs on this machine (for `make run` and the tests)."""
    environ = phone_environment()
    twilio = TwilioSettings.from_env(environ)
    fake_twilio = FakeTwilioConfig(
        twilio.account_sid,
        twilio.auth_token,
        twilio.public_url,
        twilio.number,
        twilio.whatsapp_number,
    )
    app = fakes.create_app(fake_twilio, FakeGraphConfig.from_env(environ))
    print(f"fakes of Twilio and the Graph API on 127.0.0.1:{settings.fakes_port}", flush=True)
    fakes.serve(app, "127.0.0.1", settings.fakes_port)
    return OK


COMMANDS: tuple[Command, ...] = (
    Command(
        "import",
        "import orders and tracking histories from a JSON file",
        run_import,
        _import_arguments,
    ),
    Command("migrate", "create or upgrade the order store's tables", run_migrate),
    Command(
        "demo", "make the demo data set (relative to now) and load it", run_demo, _demo_arguments
    ),
    Command(
        "sandbox", "run the sandbox carrier (EasyPost wire format)", run_sandbox, _sandbox_arguments
    ),
    Command(
        "web", "serve the demo store with the widget (the web process)", run_web, _web_arguments
    ),
    Command("mailbox", "a development mail server that prints what it receives", run_mailbox),
    Command(
        "claims",
        "the open claims, soonest follow-up first (* waits for a person)",
        run_claims,
        _claims_arguments,
    ),
    Command(
        "tickets",
        "the hand-off queue: open tickets, oldest first, with their packets",
        run_tickets,
        _claims_arguments,
    ),
    Command(
        "notifier",
        "send proactive updates through Rasa (status changes, check-backs, risks)",
        run_notifier,
        _notifier_arguments,
    ),
    Command(
        "events",
        "copy Rasa's conversation events into the order store (transcripts, trends)",
        run_events,
        _notifier_arguments,
    ),
    Command("fakes", "play Twilio's and Meta's APIs locally (no account needed)", run_fakes),
    Command(
        "user",
        "console accounts: `wismo user add NAME --name ... --role agent`",
        run_user,
        user_arguments,
    ),
    Command(
        "report",
        "the trends of a period: tables, and PNG charts in --out (var/report/)",
        run_report,
        report_arguments,
    ),
    Command(
        "seed",
        "the demo's conversations: simulated shoppers talk to the running bot (a week's worth)",
        run_seed,
        seed_arguments,
    ),
)


def build_parser(commands: Sequence[Command] = COMMANDS) -> argparse.ArgumentParser:
    """The argument parser with one subparser per command."""
    parser = argparse.ArgumentParser(prog="wismo", description="Where-is-my-order assistant.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands:
        subparser = subparsers.add_parser(command.name, help=command.help)
        command.add_arguments(subparser)
        subparser.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `wismo` with `argv` (default: the process arguments); return the exit status."""
    args = build_parser().parse_args(argv)
    install_redaction()
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"wismo: {exc}", file=sys.stderr)
        return USAGE
    try:
        status: int = args.run(args, settings)
    except StoreUnavailable as exc:
        print(f"wismo {args.command}: {exc}", file=sys.stderr)
        return FAILED
    return status
