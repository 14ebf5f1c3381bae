"""The event consumer (`wismo events`): Rasa's conversation events into the order store.

It copies batches from the event broker's file (bot/adapters/events/sqlite.py) into
`conversation_events`, `conversations` and `consumer_cursors` (bot/adapters/db/
conversations.py), one transaction per batch, back to back while there is more and
every `EVENTS_POLL_SECONDS` when there is none. Killed at any moment, it resumes at
the last batch it kept: nothing is lost and nothing counted twice. A failure (the
store or the file unavailable) is logged and the next poll tries again. SIGTERM (or
Ctrl-C) ends the process after the batch under way.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from bot.adapters.db.conversations import SqlConversationLog
from bot.adapters.events.sqlite import SqliteEventSource
from bot.bootstrap import build_repository
from bot.config import Settings
from bot.domain.clock import Clock
from bot.services.conversations import Copied, copy_events
from bot.services.ports import ConversationLog, EventSource

log = logging.getLogger(__name__)


def one_round(source: EventSource, store: ConversationLog, limit: int, clock: Clock) -> Copied:
    """Copy one batch; a failure is logged and counts as nothing copied."""
    try:
        return copy_events(source, store, limit, clock.now())
    except Exception:  # the worker's boundary: log it, try again at the next poll
        log.exception("copying conversation events failed")
        return Copied(0, 0, more=False)


def run(
    source: EventSource,
    store: ConversationLog,
    clock: Clock,
    limit: int,
    poll_seconds: float,
    stop: threading.Event,
) -> None:
    """Copy batches until `stop` is set: at once while more wait, else every `poll_seconds`."""
    while not stop.is_set():
        copied = one_round(source, store, limit, clock)
        if copied.stored:
            log.info("stored %d conversation event(s)", copied.stored)
        if not copied.more:
            stop.wait(poll_seconds)


def serve(settings: Settings, once: bool = False) -> None:
    """The process: copy from `EVENTS_DB` into the order store until SIGTERM (or one batch)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    repository = build_repository(settings)  # migrated: the tables are there
    source = SqliteEventSource(settings.events_db)
    store = SqlConversationLog.on(repository.engine)
    try:
        if once:
            one_round(source, store, settings.events_batch_size, settings.clock)
            return
        stop = _stop_on_signals()
        print(f"copying conversation events from {settings.events_db}", flush=True)
        run(
            source,
            store,
            settings.clock,
            settings.events_batch_size,
            settings.events_poll_seconds,
            stop,
        )
    finally:
        repository.dispose()


def _stop_on_signals() -> threading.Event:
    """An event that SIGTERM and SIGINT set (installed from the main thread)."""
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("event consumer stopping (signal %d)", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stop
