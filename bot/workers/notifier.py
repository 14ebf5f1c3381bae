"""The notifier process (`wismo notifier`): every few seconds, one round of the `Notifier`.

A round queues the check-backs that came due and hands the due notices to Rasa, then
sends the due hand-off webhooks when the store has its own helpdesk (bot/services/
helpdesk.py); every `NOTIFIER_SWEEP_SECONDS` it also polls the parcels no webhook told
of lately, looks for parcels at risk and for hand-offs nobody took in time. Each step
is a boundary: a failure is logged and the next step still runs, and the next round
tries again. SIGTERM (or Ctrl-C) ends the process after the step under way. Logs never
show a phone or email.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime
from types import FrameType

from bot.domain.clock import Clock
from bot.services.helpdesk import HelpdeskWebhook
from bot.services.notify import Notifier

log = logging.getLogger(__name__)


def one_round(
    notifier: Notifier,
    now: datetime,
    sweep: bool = True,
    helpdesk: HelpdeskWebhook | None = None,
) -> int:
    """Run the steps once at `now`; how many notices were handed to Rasa.

    The sweeps over every subscribed order (the poll, the risks) run only when `sweep`:
    they read each order, and every few seconds would cost the shoppers' turns CPU."""
    sweeps: tuple[tuple[str, Callable[[datetime], int]], ...] = (
        ("poll", notifier.poll),
        ("at-risk", notifier.check_at_risk),
        ("overdue hand-offs", notifier.queue_overdue),  # a minute late is soon enough
    )
    steps: tuple[tuple[str, Callable[[datetime], int]], ...] = (
        *(sweeps if sweep else ()),
        ("check-backs", notifier.queue_check_backs),
        ("send", notifier.send_due),
        *((("helpdesk webhook", helpdesk.send_due),) if helpdesk is not None else ()),
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


def run(
    notifier: Notifier,
    clock: Clock,
    interval: float,
    stop: threading.Event,
    sweep_every: float = 60.0,
    helpdesk: HelpdeskWebhook | None = None,
) -> None:
    """Run rounds every `interval` seconds, sweeps every `sweep_every`, until `stop` is set."""
    last_sweep: float | None = None
    while not stop.is_set():
        sweep = last_sweep is None or time.monotonic() - last_sweep >= sweep_every
        if sweep:
            last_sweep = time.monotonic()
        one_round(notifier, clock.now(), sweep, helpdesk)
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
