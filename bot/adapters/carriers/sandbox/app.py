"""The sandbox carrier: EasyPost's Trackers API over the imported tracking histories.

    POST /v2/trackers            {"tracker": {"tracking_code", "carrier"?}}: create or fetch
    GET  /v2/trackers/<id>       a tracker created before
    GET  /v2/trackers            ?tracking_codes[]=..&tracking_code=..&carrier=..
    GET  /healthz                liveness, no authentication
    GET  /_sandbox/stats         requests received so far, no authentication

With a `WebhookConfig`, it also posts EasyPost's signed `tracker.updated` events for
the trackers created through it as their scans come due (sandbox/webhooks.py).

Every /v2 call needs HTTP basic auth with the API key as the user name. Bad
input gets a 400, an unsupported carrier a 422, an unknown id a 404, all in
EasyPost's error shape (https://docs.easypost.com/docs/errors); the error codes
are the sandbox's own, in EasyPost's dotted style. The histories are read
through the `SandboxTrackingSource` port at every call, so a fresh import shows
at once, and only what has happened by the clock's "now" is revealed.

The stats let a benchmark tell how many carrier requests a burst of questions
caused: `tracker_requests` counts every /v2 request, whatever its answer;
`by_tracking_code` counts the create-or-fetch calls per (normalized) code.
They only grow: read them before and after.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypedDict

import waitress
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from bot.adapters.carriers.detect import detect_carrier, normalize_tracking_number
from bot.adapters.carriers.easypost.codes import CARRIER_TO_EASYPOST, carrier_from_easypost
from bot.adapters.carriers.easypost.parse import TrackerBody
from bot.adapters.carriers.sandbox.webhooks import WebhookConfig, WebhookSender
from bot.adapters.carriers.sandbox.wire import (
    render_error,
    render_list,
    render_tracker,
    tracker_id,
)
from bot.domain.clock import Clock
from bot.services.ports import SandboxTrackingSource

log = logging.getLogger(__name__)

MAX_CODE_LENGTH = 64
_EXTENSION = "wismo_sandbox"

api = Blueprint("sandbox_api", __name__, url_prefix="/v2")


class StatsBody(TypedDict):
    """The body of GET /_sandbox/stats."""

    tracker_requests: int
    by_tracking_code: dict[str, int]


class ApiError(Exception):
    """An error answer in EasyPost's shape."""

    def __init__(self, status: int, code: str, message: str, errors: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, tuple(errors)


@dataclass
class SandboxState:
    """What the app serves from: the source, the clock, the key and the trackers created."""

    source: SandboxTrackingSource
    clock: Clock
    api_key: str
    carriers: frozenset[str]
    trackers: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    lookups: Counter[str] = field(default_factory=Counter)

    def remember(self, carrier: str, number: str) -> bool:
        """Register a tracker; True when it is new."""
        key = tracker_id(carrier, number)
        with self.lock:
            new = key not in self.trackers
            self.trackers[key] = (carrier, number)
        return new

    def known(self) -> list[tuple[str, str]]:
        """Every (carrier, number) registered, newest first."""
        with self.lock:
            return list(reversed(self.trackers.values()))

    def count_request(self) -> None:
        """Count one request to the Trackers API."""
        with self.lock:
            self.requests += 1

    def count_lookup(self, number: str) -> None:
        """Count one create-or-fetch call for a tracking code."""
        with self.lock:
            self.lookups[number] += 1

    def stats(self) -> StatsBody:
        """What has been counted so far."""
        with self.lock:
            return {"tracker_requests": self.requests, "by_tracking_code": dict(self.lookups)}


def create_app(
    source: SandboxTrackingSource,
    clock: Clock,
    api_key: str,
    carriers: Iterable[str] = tuple(CARRIER_TO_EASYPOST),
    webhooks: WebhookConfig | None = None,
) -> Flask:
    """The sandbox carrier app; `carriers` are the codes accepted even with no data.

    With `webhooks`, a thread posts tracker events as the trackers' scans come due.
    """
    app = Flask(__name__)
    state = SandboxState(source, clock, api_key, frozenset(carriers))
    app.extensions[_EXTENSION] = state
    if webhooks is not None and webhooks.url:
        sender = WebhookSender(webhooks, source, clock, state.known)
        app.extensions[_EXTENSION + ".webhooks"] = sender
        sender.start()
    app.register_blueprint(api)
    app.add_url_rule("/healthz", "healthz", lambda: {"status": "ok"})
    app.add_url_rule("/_sandbox/stats", "stats", lambda: jsonify(_state().stats()))
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    return app


def serve(app: Flask, host: str, port: int) -> None:
    """Serve the app with waitress until the process is stopped."""
    waitress.serve(app, host=host, port=port)


@api.before_request
def _count_request() -> None:
    """Count every API request, refused ones too: each one reached the carrier."""
    _state().count_request()


@api.before_request
def _authenticate() -> None:
    """Refuse a call without the API key as the basic-auth user name."""
    auth = request.authorization
    user = auth.username if auth is not None and auth.type == "basic" else None
    if not user or not hmac.compare_digest(user.encode(), _state().api_key.encode()):
        raise ApiError(401, "APIKEY.REQUIRED", "A valid API key is required (HTTP basic auth)")


@api.post("/trackers")
def create_tracker() -> tuple[Response, int]:
    """Create a tracker, or return the one that exists for this code and carrier."""
    code, carrier_name = _tracker_params()
    number = normalize_tracking_number(code)
    state = _state()
    state.count_lookup(number)
    carrier = _carrier(number, carrier_name)
    tracking = state.source.sandbox_tracking(carrier, number)
    if tracking is None and carrier not in state.carriers:
        raise ApiError(422, "TRACKER.CARRIER.INVALID", f"Carrier {carrier_name!r} is not supported")
    created = state.remember(carrier, number)
    body = render_tracker(carrier, number, tracking, state.clock.now())
    return jsonify(body), 201 if created else 200


@api.get("/trackers/<tracker_id>")
def retrieve_tracker(tracker_id: str) -> Response:
    """A tracker created before, as it stands now."""
    state = _state()
    with state.lock:
        entry = state.trackers.get(tracker_id)
    if entry is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource could not be found.")
    return jsonify(_render(*entry))


@api.get("/trackers")
def list_trackers() -> Response:
    """Trackers filtered by tracking codes and carrier; known codes are registered on the way."""
    args = request.args
    raw = [*args.getlist("tracking_codes[]"), *args.getlist("tracking_codes")]
    raw += args.getlist("tracking_code")
    wanted = {number for number in map(normalize_tracking_number, raw) if number}
    carrier = carrier_from_easypost(args["carrier"]) if args.get("carrier") else None
    _register_known(wanted, carrier)
    entries = [
        (c, n)
        for c, n in _state().known()
        if (not wanted or n in wanted) and (carrier is None or c == carrier)
    ]
    return jsonify(render_list(_render(c, n) for c, n in entries))


def _tracker_params() -> tuple[str, str | None]:
    """The tracking code and optional carrier name of a create request; 400 when malformed."""
    body = request.get_json(silent=True)
    params = body.get("tracker") if isinstance(body, dict) else None
    if not isinstance(params, dict):
        raise ApiError(400, "PARAMETER.REQUIRED", "Missing 'tracker' object", ["tracker"])
    code, carrier = params.get("tracking_code"), params.get("carrier")
    if not isinstance(code, str) or not 0 < len(normalize_tracking_number(code)) <= MAX_CODE_LENGTH:
        raise ApiError(400, "PARAMETER.INVALID", "Invalid tracking_code", ["tracker.tracking_code"])
    if carrier is not None and (not isinstance(carrier, str) or not carrier.strip()):
        raise ApiError(400, "PARAMETER.INVALID", "Invalid carrier", ["tracker.carrier"])
    return code, carrier.strip() if carrier else None


def _carrier(number: str, carrier_name: str | None) -> str:
    """Our carrier code: from the name given, else detected from the number (422 if not)."""
    if carrier_name:
        return carrier_from_easypost(carrier_name)
    detected = detect_carrier(number)
    if detected is None:
        raise ApiError(
            422, "TRACKER.CARRIER.UNDETERMINED", "Unable to determine the carrier; pass 'carrier'"
        )
    return detected


def _register_known(numbers: Iterable[str], carrier: str | None) -> None:
    """Register the listed codes the source knows (a tracker lists only once it exists)."""
    state = _state()
    for number in numbers:
        code = carrier or detect_carrier(number)
        if code and state.source.sandbox_tracking(code, number) is not None:
            state.remember(code, number)


def _render(carrier: str, number: str) -> TrackerBody:
    """A tracker body read fresh from the source at the clock's now."""
    state = _state()
    tracking = state.source.sandbox_tracking(carrier, number)
    return render_tracker(carrier, number, tracking, state.clock.now())


def _state() -> SandboxState:
    """The running app's SandboxState."""
    state: SandboxState = current_app.extensions[_EXTENSION]
    return state


def _api_error(exc: ApiError) -> tuple[Response, int]:
    """An ApiError as its JSON answer."""
    return jsonify(render_error(exc.code, exc.message, exc.errors)), exc.status


def _http_error(exc: HTTPException) -> tuple[Response, int]:
    """Werkzeug's errors (unknown route, wrong method) in EasyPost's shape."""
    status = exc.code or 500
    code = (exc.name or "error").upper().replace(" ", "_")
    return jsonify(render_error(code, exc.description or exc.name)), status


def _unexpected(exc: Exception) -> tuple[Response, int]:
    """The boundary: anything unforeseen is logged and answered as a 500, in shape."""
    log.exception("sandbox carrier failed", exc_info=exc)
    return jsonify(render_error("INTERNAL_SERVER_ERROR", "Unexpected error")), 500
