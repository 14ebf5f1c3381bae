"""The action server in one process, on the loopback interface by default.

`python -m rasa_sdk` starts Sanic's process manager plus a worker process and
listens on every interface. One worker is all it runs, so here the worker is
the only process: half the memory, nothing between a request and the actions.

The services (order store, migrations check, carrier client) are built before
the server listens, so the first shopper does not wait for them, and then what
exists is frozen out of garbage collection: a full collection of it took about
100 ms of a stalled server (see bot/rasa_server/patches.py for the Rasa side).

Every request but `/health` must carry the token Rasa presents
(`?token=`, `identity.action_token` of the deployment's secret, set by the
Rasa launcher): without it the answer is 403, so no one but Rasa can run an
action with a tracker of their own making. That is also what lets `--host`
be wider than the loopback. Personal data in log records is masked
(bot/channels/redaction.py).

    python -m actions.server --port 5055 [--host 127.0.0.1]
"""

from __future__ import annotations

import argparse
import gc
import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence

from rasa_sdk.constants import DEFAULT_ENDPOINTS_PATH, DEFAULT_KEEP_ALIVE_TIMEOUT
from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from actions.runtime import services
from bot.channels import identity, redaction
from bot.config import SettingsError
from bot.domain.errors import PolicyInvalid

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    redaction.install()
    logging.basicConfig(level=logging.INFO)
    expected = identity.action_token(identity.load_secret())
    executor = ActionExecutor()
    executor.register_package(args.actions)
    warm_up()
    app = create_app_for_serve(
        executor,
        cors_origins="*",
        auto_reload=False,
        endpoints=DEFAULT_ENDPOINTS_PATH,
        keep_alive_timeout=DEFAULT_KEEP_ALIVE_TIMEOUT,
    )
    app.register_middleware(require_token(expected), "request")
    app.prepare(host=args.host, port=args.port, single_process=True, motd=False)
    Sanic.serve_single(app)


OPEN_PATHS = frozenset({"/health"})


def require_token(expected: str) -> Callable[[Request], Awaitable[HTTPResponse | None]]:
    """A request middleware: 403 for any request but /health without Rasa's token."""

    async def check(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.args.get("token")
        if isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode()):
            return None
        return json({"error": "a valid token is required"}, status=403)

    return check


def warm_up() -> None:
    """Build the services now and freeze what exists; a store that is down is not fatal."""
    try:
        services()
    except (PolicyInvalid, SettingsError) as exc:  # a wrong configuration: never serve with it
        raise SystemExit(f"actions: cannot start:\n{exc}") from exc
    except Exception:  # the boundary: each action retries, and apologizes while it fails
        log.exception("the services could not be built at start; actions will retry")
    gc.collect()
    gc.freeze()
    log.info(
        "Froze %d objects of the started server out of garbage collection.", gc.get_freeze_count()
    )


if __name__ == "__main__":
    main()
