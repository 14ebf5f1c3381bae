"""`wismo user add`: console accounts; and the demo's agent and lead.

    wismo user add ana --name "Ana" --role agent          asks for the password twice
    printf '%s\n' "$PASSWORD" | wismo user add ana --name Ana --password-stdin

The password is never an argument (it would show in `ps` and the shell's history).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys

from bot.bootstrap import build_accounts, build_repository
from bot.config import Settings
from bot.domain.accounts import Role
from bot.domain.errors import StoreUnavailable
from bot.services.accounts import AccountInvalid

OK, FAILED, USAGE = 0, 1, 2
# The demo's people (README's tour); `wismo demo --load` adds them to the embedded store.
DEMO_ACCOUNTS = (
    ("ana", "Ana", Role.AGENT, "woodland-agent-demo"),
    ("lee", "Lee", Role.LEAD, "woodland-lead-demo"),
)


def user_arguments(parser: argparse.ArgumentParser) -> None:
    """`wismo user add USERNAME --name NAME --role ROLE [--password-stdin]`."""
    actions = parser.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a console account (asks for its password)")
    add.add_argument("username", help="2-32 lowercase letters, digits, '.', '_' or '-'")
    add.add_argument("--name", required=True, help="the name shoppers see when this person answers")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.AGENT.value)
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )


def run_user(args: argparse.Namespace, settings: Settings) -> int:
    """Add a console account; every problem with its details is said at once."""
    password = _password(args.password_stdin)
    if password is None:
        return USAGE
    accounts = build_accounts(settings, build_repository(settings))
    try:
        account = accounts.add(
            args.username, args.name, Role(args.role), password, settings.clock.now()
        )
    except AccountInvalid as exc:
        for problem in exc.problems:
            print(f"wismo user add: {problem}", file=sys.stderr)
        return USAGE
    except StoreUnavailable as exc:
        print(f"wismo user add: {exc}", file=sys.stderr)
        return FAILED
    print(f"added {account.role.value} {account.username} ({account.name})")
    return OK


def _password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        print("wismo user add: no terminal to ask on; use --password-stdin", file=sys.stderr)
        return None
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        print("wismo user add: the passwords differ", file=sys.stderr)
        return None
    return first


def add_demo_accounts(settings: Settings) -> list[str]:
    """The demo's agent and lead (kept if they exist); how to log in, one line each."""
    accounts = build_accounts(settings, build_repository(settings))
    lines = []
    for username, name, role, password in DEMO_ACCOUNTS:
        with contextlib.suppress(AccountInvalid):  # already there from an earlier run
            accounts.add(username, name, role, password, settings.clock.now())
        lines.append(f"{role.value}: {username} / {password}")
    return lines
