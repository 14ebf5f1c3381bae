"""`rasa run`, closed by default, with the patches of `bot.rasa_server.patches`.

    python -m bot.rasa_server.launch run --model models/wismo.tar.gz ...

takes exactly the flags of `rasa run` (the Procfile's `rasa:` line). Before
Rasa starts, the launcher masks personal data in every log record
(bot/channels/redaction.py); refuses `--enable-api` without `--auth-token` or
`--jwt-secret` (exit 2); replaces `--auth-token-from-secret` with the API token
derived from the deployment's secret (`identity.rasa_api_token`: the notifier
presents it to `trigger_intent`); limits a request's body to 1 MB, the API on
or not (Sanic's default is 100 MB, read before any route checks a token; the
stack never uploads a model over HTTP); sets
`ACTION_SERVER_TOKEN` (which endpoints.yml gives the action server as
`?token=`) from the deployment's secret; defaults `EVENTS_DB` (the event
broker's file, endpoints.yml's `url: ${EVENTS_DB}`) to var/events.db; and
installs the patches (warm-up, heap freeze, event-class lookup cache, action
answer validator, keep-alive sessions to the action server, DIET's answers reused).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from rasa.__main__ import create_argument_parser
from rasa.__main__ import main as rasa_main

from bot.channels import identity, redaction
from bot.rasa_server import event_broker, patches

# endpoints.yml's action_endpoint reads it: `token: ${ACTION_SERVER_TOKEN}`.
ACTION_TOKEN_ENV = "ACTION_SERVER_TOKEN"  # noqa: S105 (the name of the variable)
API_WITHOUT_AUTH = (
    "refusing to start: --enable-api opens Rasa's HTTP API (conversations, trackers, "
    "models); give --auth-token or --jwt-secret with it"
)
# No request of the stack needs more than this: a message is at most MAX_MESSAGE_CHARS
# (2,000) characters. Sanic's own limit is 100 MB, all of it read and parsed before the
# channel (or the API's token check) can refuse it.
MAX_BODY_BYTES = 1_000_000
RASA_TOKEN_ENV = "RASA_TOKEN"  # noqa: S105 (the name of the variable)
TOKEN_FROM_SECRET = "--auth-token-from-secret"  # noqa: S105 (a flag, not a token)
EVENTS_DB_ENV = "EVENTS_DB"  # endpoints.yml's event_broker reads it: `url: ${EVENTS_DB}`


def _run_flags(argv: Sequence[str]) -> argparse.Namespace | None:
    """`rasa run`'s flags read by Rasa's own parser (abbreviations, `=` forms), or None."""
    try:
        args, _ = create_argument_parser().parse_known_args(list(argv))
    except SystemExit:  # a malformed command line: Rasa reports it itself
        return None
    return args


def open_api_refusal(argv: Sequence[str]) -> str | None:
    """Why these `rasa run` flags may not start a server; None when they may."""
    args = _run_flags(argv)
    if getattr(args, "enable_api", False) and not (
        getattr(args, "auth_token", None) or getattr(args, "jwt_secret", None)
    ):
        return API_WITHOUT_AUTH
    return None


def body_limit(argv: Sequence[str]) -> dict[str, str]:
    """Sanic's request size limit (read from the environment), whatever the flags."""
    return {"SANIC_REQUEST_MAX_SIZE": str(MAX_BODY_BYTES)}


def with_derived_token(argv: Sequence[str], secret: bytes, given: str | None = None) -> list[str]:
    """`argv` with `--auth-token-from-secret` replaced by `--auth-token <token>`: `given`
    (`RASA_TOKEN`) if set, else the one derived from the secret, as the notifier does."""
    if TOKEN_FROM_SECRET not in argv:
        return list(argv)
    kept = [arg for arg in argv if arg != TOKEN_FROM_SECRET]
    return [*kept, "--auth-token", given or identity.rasa_api_token(secret)]


def main(argv: Sequence[str]) -> int:
    """Start `rasa` with these arguments (`run ...`), closed and patched; the exit status."""
    if TOKEN_FROM_SECRET in argv:
        argv = with_derived_token(argv, identity.load_secret(), os.environ.get(RASA_TOKEN_ENV))
        sys.argv[1:] = argv
    refusal = open_api_refusal(argv)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    redaction.install()
    # endpoints.yml's action_endpoint presents it; the action server checks it.
    os.environ[ACTION_TOKEN_ENV] = identity.action_token(identity.load_secret())
    for name, value in body_limit(argv).items():
        os.environ.setdefault(name, value)
    os.environ.setdefault(EVENTS_DB_ENV, event_broker.DEFAULT_PATH)
    patches.install()
    rasa_main()  # reads sys.argv itself, as `rasa` does
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
