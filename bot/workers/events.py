"""The event consumer (`wismo events`): Rasa's conversation events into the order store.

It copies batches from the event broker's file (bot/adapters/events/sqlite.py) into
`conversation_events`, `conversations` and `consumer_cursors` (bot/adapters/db/
conversations.py), one transaction per batch, back to back while there is more and
every `EVENTS_POLL_SECONDS` when there is none. Every `EVENTS_RELEASE_SECONDS` it lets
the broker's file forget what has been stored, so that the file stops growing. Killed
at any moment, it resumes at the last batch it kept: nothing is lost and nothing
counted twice. A failure (the store or the file unavailable) is logged and the next
poll tries again. SIGTERM (or Ctrl-C) ends the process after the batch under way.

It runs at the lowest CPU priority (`nice 19`): the shoppers' turns come first. A
machine kept busy delays the leads' figures, never a shopper; the broker's file keeps
what waits. (Not the idle scheduling class: starved while it holds SQLite's write lock,
it would hold up the turns that write to the same store.)
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from types import FrameType

from bot.adapters.db.conversations import SqlConversationLog
from bot.adapters.events.sqlite import SqliteEventSource
from bot.bootstrap import build_repository
from bot.config import Settings
from bot.domain.clock import Clock
from bot.services.conversations import Copied, copy_events, release_stored
from bot.services.ports import ConversationLog, EventSource

log = logging.getLogger(__name__)
LOWEST_PRIORITY = 19  # the niceness of a process that yields to every other


def one_round(source: EventSource, store: ConversationLog, limit: int, clock: Clock) -> Copied:
    """Copy one batch; a failure is logged and counts as nothing copied."""
    try:
        return copy_events(source, store, limit, clock.now())
    except Exception:  # the worker's boundary: log it, try again at the next poll
        log.exception("copying conversation events failed")
        return Copied(0, 0, more=False)


def release(source: EventSource, store: ConversationLog) -> None:
    """Let the source forget what is stored; a failure is logged and tried again later."""
    try:
        release_stored(source, store)
    except Exception:  # the worker's boundary: the rows wait for the next time
        log.exception("releasing stored events from the broker's file failed")


def run(
    source: EventSource,
    store: ConversationLog,
    clock: Clock,
    limit: int,
    poll_seconds: float,
    stop: threading.Event,
    release_seconds: float = Settings.events_release_seconds,
) -> None:
    """Copy batches until `stop` is set: at once while more wait, else every `poll_seconds`;
    release what is stored every `release_seconds` (and once more at the end)."""
    released = time.monotonic()
    while not stop.is_set():
        copied = one_round(source, store, limit, clock)
        if copied.stored:
            log.info("stored %d conversation event(s)", copied.stored)
        if time.monotonic() - released >= release_seconds:
            release(source, store)
            released = time.monotonic()
        if not copied.more:
            stop.wait(poll_seconds)
    release(source, store)


def yield_the_cpu() -> int:
    """Lower this process to the lowest CPU priority; the niceness it has now."""
    return os.nice(LOWEST_PRIORITY - os.nice(0))


def serve(settings: Settings, once: bool = False) -> None:
    """The process: copy from `EVENTS_DB` into the order store until SIGTERM (or one batch)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    priority = yield_the_cpu()
    repository = build_repository(settings)  # migrated: the tables are there
    source = SqliteEventSource(settings.events_db)
    store = SqlConversationLog.on(repository.engine)
    try:
        if once:
            one_round(source, store, settings.events_batch_size, settings.clock)
            return
        stop = _stop_on_signals()
        print(
            f"copying conversation events from {settings.events_db} (nice {priority})",
            flush=True,
        )
        run(
            source,
            store,
            settings.clock,
            settings.events_batch_size,
            settings.events_poll_seconds,
            stop,
            settings.events_release_seconds,
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
