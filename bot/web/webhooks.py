"""Webhooks the web process receives: EasyPost's tracker events.

    POST /webhooks/easypost   an Event; 403 unless signed with EASYPOST_WEBHOOK_SECRET

A signed tracker event is read by the EasyPost parser and given to the notifier's
`record_change`, which queues one notice per subscriber when the parcel's state changed
(the notifier process sends it). Any other event is acknowledged and ignored, so that
EasyPost does not retry it. A store that cannot be written answers 503: EasyPost retries.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request

from bot.adapters.carriers.easypost.parse import parse_tracker
from bot.adapters.carriers.easypost.webhook import SIGNATURE_HEADER, signed, tracker_of
from bot.bootstrap import build_notifier
from bot.domain.errors import CarrierError, StoreUnavailable
from bot.services.notify import Notifier
from bot.web.context import built, settings_of

log = logging.getLogger(__name__)

blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")
_NOTIFIER = "wismo.notifier"


@blueprint.post("/easypost")
def easypost() -> tuple[Response, int]:
    """Record the change an EasyPost tracker event tells of."""
    settings = settings_of()
    body = request.get_data()
    if not signed(settings.easypost_webhook_secret, body, request.headers.get(SIGNATURE_HEADER)):
        return jsonify({"error": "bad signature"}), 403
    tracker = tracker_of(request.get_json(silent=True))
    if tracker is None:
        return jsonify({"status": "ignored"}), 200
    now = settings.clock.now()
    try:
        tracking = parse_tracker(tracker, fetched_at=now)
    except CarrierError:
        return jsonify({"status": "ignored"}), 200
    try:
        made = _notifier().record_change(tracking.tracking_number, tracking, now, via="webhook")
    except StoreUnavailable as exc:
        log.warning("webhook not recorded: %s", exc)
        return jsonify({"error": "try again later"}), 503
    return jsonify({"status": "recorded", "notices": made}), 200


def _notifier() -> Notifier:
    """The app's notifier use cases, built on the first event (the store is opened then)."""
    return built(_NOTIFIER, build_notifier)
