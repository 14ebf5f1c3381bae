"""Rasa's conversation events into a SQLite file, written off the server's event loop.

Stock `SQLEventBroker` commits each event on the event loop, inside the shopper's
turn, after Rasa turned each event into a dict there. Here our tracker store hands a
turn's new events over as they are (`publish_events`, one queue put per turn: nothing
is converted on the loop); one writer thread leaves out what no reader uses, turns the
rest into JSON (`as_dict`, cleaning) and inserts it in batches
(every `flush_seconds` or `batch_size` events, whichever comes first) into the
table `events(id, sender_id, data)`, as Rasa's SQL broker does. `close` (Rasa calls
it when the server stops) writes what is still queued. The consumer (`wismo
events`, bot/workers/events.py) reads the table by `id`.

    endpoints.yml:
      event_broker:
        type: bot.rasa_server.event_broker.SqliteEventBroker
        url: ${EVENTS_DB}        # the launcher defaults it to var/events.db

What is not written: the metadata of user events (the channel's sealed identity, which
carries the shopper's phone or source address, rides there; `input_channel` is kept),
and the sealed identity wherever else it might appear. A full queue (the disk stalls)
never blocks the event loop: the event is dropped and the log says how many were.
Rasa side: Rasa and the standard library only.
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import time
import uuid
from asyncio import AbstractEventLoop, get_running_loop
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.events import ActionExecuted, Event, SlotSet
from rasa.utils.endpoints import EndpointConfig

from bot.channels.identity import IDENTITY_KEY

log = logging.getLogger(__name__)

DEFAULT_PATH = "var/events.db"
DEFAULT_BATCH_SIZE = 200
DEFAULT_FLUSH_SECONDS = 0.1
DEFAULT_MAX_QUEUE = 50_000
RETRY_SECONDS = 1.0  # after a failed write, before the same batch is tried again
CLOSE_TIMEOUT = 10.0
BUSY_TIMEOUT_MS = 5_000

# What the conversation log reads (bot/adapters/events/parse.py): the rest is not written.
UNREAD_EVENTS = frozenset(
    {"user_featurization", "active_loop", "loop_interrupted", "action_execution_rejected"}
)
UNREAD_ACTIONS = frozenset({"action_listen"})
KEPT_SLOTS = frozenset({"last_order", "selected_order"})  # the orders a conversation settled on
KEPT_PARSE = frozenset({"intent", "entities", "text"})

# What `publish` queues: (sender, one event as a dict), or `publish_events`: (sender, events).
_Item = tuple[str | None, dict[str, Any] | tuple[Event, ...]]

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS events ("
    "id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id TEXT, data TEXT)",
    # One random id per file: the consumer keys its cursor and its copies on it, so a
    # new file (ids from 1 again) is never mistaken for the one it already read.
    "CREATE TABLE IF NOT EXISTS broker (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "INSERT OR IGNORE INTO broker (key, value) VALUES ('source', '{source}')",
)


def cleaned(event: dict[str, Any]) -> str | None:
    """The event as it is stored (JSON), or None for one no reader uses: no metadata on a
    user event and only the parse the log keeps, and nowhere a sealed identity (Rasa copies
    the first message's metadata into the `session_started_metadata` slot, for one).

    Every turn makes a dozen events, and a user event's parse carries the whole intent
    ranking and the response selectors' rankings: written whole, they cost the shoppers'
    turns (JSON here, the writer thread, the consumer) for nothing anyone reads."""
    kind = event.get("event")
    if kind in UNREAD_EVENTS or (kind == "action" and event.get("name") in UNREAD_ACTIONS):
        return None
    if kind == "slot" and event.get("name") not in KEPT_SLOTS:
        return None
    kept = event
    if kind == "user":
        kept = {**event, "metadata": {}}
        parse_data = event.get("parse_data")
        if isinstance(parse_data, dict):
            kept["parse_data"] = {k: v for k, v in parse_data.items() if k in KEPT_PARSE}
    data = json.dumps(kept, ensure_ascii=False)
    if f'"{IDENTITY_KEY}"' in data:  # rare: only then walk the whole event
        data = json.dumps(_without_identity(kept), ensure_ascii=False)
    return data


def rows_of(item: _Item) -> list[tuple[str | None, str]]:
    """The rows to write for a queued item: its events that a reader uses, cleaned."""
    sender_id, queued = item
    if isinstance(queued, dict):
        data = cleaned(queued)
        return [] if data is None else [(sender_id, data)]
    found = []
    for event in queued:
        if not _read(event):
            continue  # left out before it costs a conversion
        data = cleaned({"sender_id": sender_id, **event.as_dict()})
        if data is not None:
            found.append((sender_id, data))
    return found


def _read(event: Event) -> bool:
    """Whether a reader may use the event (`cleaned` decides the rest), from its type."""
    kind = event.type_name
    if kind in UNREAD_EVENTS:
        return False
    if isinstance(event, ActionExecuted):
        return event.action_name not in UNREAD_ACTIONS
    if isinstance(event, SlotSet):
        return event.key in KEPT_SLOTS
    return True


def _without_identity(value: Any) -> Any:
    """`value` with every `IDENTITY_KEY` entry of every nested object left out."""
    if isinstance(value, dict):
        return {k: _without_identity(v) for k, v in value.items() if k != IDENTITY_KEY}
    if isinstance(value, list):
        return [_without_identity(item) for item in value]
    return value


def open_database(path: str) -> sqlite3.Connection:
    """The broker's file (made with its tables if new), in WAL so readers never wait."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    for statement in SCHEMA:
        connection.execute(statement.format(source=uuid.uuid4().hex))
    return connection


class SqliteEventBroker(EventBroker):
    """Events queued by `publish`, written in batches to SQLite by one background thread."""

    def __init__(
        self,
        path: str = DEFAULT_PATH,
        batch_size: int = DEFAULT_BATCH_SIZE,
        flush_seconds: float = DEFAULT_FLUSH_SECONDS,
        max_queue: int = DEFAULT_MAX_QUEUE,
    ) -> None:
        if int(batch_size) < 1 or float(flush_seconds) <= 0 or int(max_queue) < 1:
            raise ValueError("batch_size, flush_seconds and max_queue must be positive")
        self.path = path
        self.batch_size = int(batch_size)
        self.flush_seconds = float(flush_seconds)
        # A turn's events as Rasa made them, or one event already a dict (`publish`).
        self.queue: queue.Queue[_Item | None] = queue.Queue(int(max_queue))
        self.dropped = 0
        open_database(path).close()  # a bad path fails Rasa's start, not the first turn
        self._thread = threading.Thread(target=self._write_loop, name="event-broker", daemon=True)
        self._thread.start()

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: AbstractEventLoop | None = None,
    ) -> SqliteEventBroker:
        """The broker of endpoints.yml's `event_broker` section (`url` is the file)."""
        return cls(broker_config.url or DEFAULT_PATH, **broker_config.kwargs)

    def publish(self, event: dict[str, Any]) -> None:
        """Queue one event (as Rasa's brokers get it) for the writer; never waits."""
        self._put((event.get("sender_id"), event), 1)

    def publish_events(self, sender_id: str, events: Sequence[Event]) -> None:
        """Queue a conversation's new events as they are, for the writer to convert and
        write; never waits (a full queue drops them, logged)."""
        if events:
            self._put((sender_id, tuple(events)), len(events))

    def _put(self, item: _Item, count: int) -> None:
        try:
            self.queue.put_nowait(item)
        except queue.Full:
            before, self.dropped = self.dropped, self.dropped + count
            if before == 0 or before // 1000 != self.dropped // 1000:
                log.error(
                    "event broker: the writer of %s cannot keep up; %d event(s) dropped so far",
                    self.path,
                    self.dropped,
                )

    def is_ready(self) -> bool:
        """Whether the writer thread is running."""
        return self._thread.is_alive()

    async def close(self) -> None:
        """Write everything queued, then stop the writer (waits at most CLOSE_TIMEOUT)."""
        if not self._thread.is_alive():
            return
        self.queue.put(None)  # the writer writes what came before it, then ends
        await get_running_loop().run_in_executor(None, self._thread.join, CLOSE_TIMEOUT)
        if self._thread.is_alive():
            log.error("event broker: %d event(s) not written at close", self.queue.qsize())

    def _write_loop(self) -> None:
        connection = open_database(self.path)
        try:
            stopping = False
            while not stopping:
                batch, stopping = self._next_batch()
                while batch and not self._write(connection, batch):
                    time.sleep(RETRY_SECONDS)  # keep the batch; the queue bounds the rest
        finally:
            connection.close()

    def _next_batch(self) -> tuple[list[tuple[str | None, str]], bool]:
        """The rows of at least `batch_size` events (or all that came within `flush_seconds`
        of the first one); and whether `close` asked the writer to stop."""
        first = self.queue.get()
        if first is None:
            return [], True
        batch = rows_of(first)
        deadline = time.monotonic() + self.flush_seconds
        while len(batch) < self.batch_size:
            try:
                item = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.extend(rows_of(item))
        return batch, False

    def _write(self, connection: sqlite3.Connection, batch: list[tuple[str | None, str]]) -> bool:
        """Insert the batch in one transaction; False (logged) when the file refused it."""
        try:
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("INSERT INTO events (sender_id, data) VALUES (?, ?)", batch)
        except sqlite3.Error as exc:
            log.error(
                "event broker: cannot write %d event(s) to %s: %s", len(batch), self.path, exc
            )
            return False
        return True
