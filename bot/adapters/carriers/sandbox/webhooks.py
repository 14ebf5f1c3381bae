"""The sandbox carrier's webhooks: EasyPost tracker events, sent as scans come due.

EasyPost tells a webhook URL of every change of a tracker. The sandbox does the same
for the trackers created through it: every few seconds it renders each one at the
clock's "now", and when what it shows changed (a scan came due, or a re-import added
one) it posts a signed `tracker.updated` Event. A post that fails is sent again at the
next look, until it is taken. What a tracker shows when first seen is the baseline.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

import requests

from bot.adapters.carriers.easypost.parse import TrackerBody
from bot.adapters.carriers.easypost.webhook import SIGNATURE_HEADER, EventBody, signature
from bot.adapters.carriers.sandbox.wire import render_tracker
from bot.domain.clock import Clock
from bot.services.ports import SandboxTrackingSource

log = logging.getLogger(__name__)
POST_TIMEOUT = 5.0


@dataclass(frozen=True)
class WebhookConfig:
    """Where to post tracker events, signed with which secret, how often to look."""

    url: str
    secret: str
    interval: float = 2.0


def fingerprint(tracker: TrackerBody) -> str:
    """What a change of the tracker changes: its status, estimate and scans."""
    seen = [tracker["status"], tracker["est_delivery_date"], tracker["tracking_details"]]
    return hashlib.sha256(json.dumps(seen, sort_keys=True).encode()).hexdigest()


def tracker_event(tracker: TrackerBody, clock: Clock) -> EventBody:
    """A `tracker.updated` Event carrying the tracker as it stands."""
    evt = hashlib.sha256((tracker["id"] + fingerprint(tracker)).encode()).hexdigest()[:32]
    return {
        "object": "Event",
        "id": f"evt_{evt}",
        "description": "tracker.updated",
        "mode": "test",
        "result": tracker,
        "created_at": clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


class WebhookSender:
    """Posts a signed event for each tracker whose revealed history changed."""

    def __init__(
        self,
        config: WebhookConfig,
        source: SandboxTrackingSource,
        clock: Clock,
        trackers: Callable[[], list[tuple[str, str]]],
        session: requests.Session | None = None,
    ) -> None:
        self.config, self.source, self.clock, self.trackers = config, source, clock, trackers
        self.session = session or requests.Session()
        self.sent: dict[tuple[str, str], str] = {}  # the fingerprint last taken, per tracker
        self._stop = threading.Event()

    def look(self) -> int:
        """Render every tracker now and post those that changed; how many were taken."""
        taken = 0
        for carrier, number in self.trackers():
            tracker = render_tracker(
                carrier, number, self.source.sandbox_tracking(carrier, number), self.clock.now()
            )
            mark = fingerprint(tracker)
            known = self.sent.setdefault((carrier, number), mark)
            if known != mark and self._post(tracker_event(tracker, self.clock)):
                self.sent[(carrier, number)] = mark
                taken += 1
        return taken

    def _post(self, event: EventBody) -> bool:
        body = json.dumps(event).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(self.config.secret, body),
        }
        try:
            answer = self.session.post(
                self.config.url, data=body, headers=headers, timeout=POST_TIMEOUT
            )
        except requests.RequestException as exc:
            log.warning("sandbox webhook not delivered: %s", type(exc).__name__)
            return False
        if not answer.ok:
            log.warning("sandbox webhook refused: %s", answer.status_code)
        return bool(answer.ok)

    def start(self) -> threading.Thread:
        """Look every `interval` seconds in a daemon thread until `stop()`."""
        thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """End the looking thread after its current look."""
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.config.interval):
            try:
                self.look()
            except Exception:  # the thread's boundary: a bad look must not end the webhooks
                log.exception("sandbox webhooks failed")
