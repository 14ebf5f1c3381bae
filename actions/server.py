"""The action server in one process, on the loopback interface by default.

`python -m rasa_sdk` starts Sanic's process manager plus a worker process and
listens on every interface. One worker is all it runs, so here the worker is
the only process: half the memory, nothing between a request and the actions.

    python -m actions.server --port 5055 [--host 127.0.0.1]
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

from rasa_sdk.constants import DEFAULT_ENDPOINTS_PATH, DEFAULT_KEEP_ALIVE_TIMEOUT
from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    executor = ActionExecutor()
    executor.register_package(args.actions)
    app = create_app_for_serve(
        executor,
        cors_origins="*",
        auto_reload=False,
        endpoints=DEFAULT_ENDPOINTS_PATH,
        keep_alive_timeout=DEFAULT_KEEP_ALIVE_TIMEOUT,
    )
    app.prepare(host=args.host, port=args.port, single_process=True, motd=False)
    Sanic.serve_single(app)


if __name__ == "__main__":
    main()
