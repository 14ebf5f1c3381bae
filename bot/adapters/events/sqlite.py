"""The event broker's SQLite file (bot/rasa_server/event_broker.py), read only: an `EventSource`.

The file is opened read-only (`mode=ro`): the consumer can never write to what the Rasa
server writes. Rows are read by `id` after a position; rows that are not Rasa events
are skipped (logged) but passed, so each is read once. The broker's table `broker`
names the file (`source`): a new file, numbered from 1 again, is a new source.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path

from bot.adapters.events.parse import Unreadable, parse_event
from bot.domain.conversations import ConversationEvent, EventBatch
from bot.domain.errors import StoreUnavailable

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 5.0
UNNAMED_SOURCE = "events"  # a file written by another broker (Rasa's own SQL broker)


class SqliteEventSource:
    """Reads the broker's `events` table of one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS)

    def name(self) -> str | None:
        """The file's source id; None while the file or its table is not there yet."""
        if not self.path.exists():
            return None
        try:
            with closing(self._connect()) as connection:
                tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
                if "events" not in tables:
                    return None
                if "broker" not in tables:
                    return UNNAMED_SOURCE
                row = connection.execute("SELECT value FROM broker WHERE key = 'source'").fetchone()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot read the event broker's file: {exc}") from exc
        return str(row[0]) if row else UNNAMED_SOURCE

    def read_after(self, source: str, position: int, limit: int) -> EventBatch:
        """Up to `limit` events after `position`, oldest first, with the last id read."""
        query = "SELECT id, sender_id, data FROM events WHERE id > ? ORDER BY id LIMIT ?"
        try:
            with closing(self._connect()) as connection:
                rows = connection.execute(query, (position, limit)).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot read the event broker's file: {exc}") from exc
        events: list[ConversationEvent] = []
        for number, sender_id, data in rows:
            try:
                events.append(parse_event(number, sender_id, data))
            except Unreadable as exc:
                log.warning("skipping a broker row: %s", exc)
        last = rows[-1][0] if rows else position
        return EventBatch(source, tuple(events), last)
