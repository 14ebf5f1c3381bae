"""The notifier process (`wismo notifier`): every few seconds, one round of the `Notifier`.

A round polls the parcels no webhook told of lately, looks for parcels at risk, queues the
check-backs that came due and hands the due notices to Rasa. Each step is a boundary: a
failure is logged and the next step still runs, and the next round tries again. SIGTERM
(or Ctrl-C) ends the process after the step under way. Logs never show a phone or email.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType

from bot.domain.clock import Clock
from bot.services.notify import Notifier

log = logging.getLogger(__name__)


def one_round(notifier: Notifier, now: datetime) -> int:
    """Run every step once at `now`; how many notices were handed to Rasa."""
    steps: tuple[tuple[str, Callable[[datetime], int]], ...] = (
        ("poll", notifier.poll),
        ("at-risk", notifier.check_at_risk),
        ("check-backs", notifier.queue_check_backs),
        ("send", notifier.send_due),
    )
    sent = 0
    for name, step in steps:
        try:
            done = step(now)
        except Exception:  # the worker's boundary: log it, carry on with the next step
            log.exception("notifier step %s failed", name)
            continue
        if name == "send":
            sent = done
        elif done:
            log.info("notifier step %s: %d", name, done)
    return sent


def run(notifier: Notifier, clock: Clock, interval: float, stop: threading.Event) -> None:
    """Run rounds every `interval` seconds until `stop` is set."""
    while not stop.is_set():
        one_round(notifier, clock.now())
        stop.wait(interval)


def stop_on_signals() -> threading.Event:
    """An event that SIGTERM and SIGINT set (install from the main thread)."""
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("notifier stopping (signal %d)", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stop
