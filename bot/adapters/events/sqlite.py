"""The event broker's SQLite file (bot/rasa_server/event_broker.py), read only: an `EventSource`.

Rows are read by `id` after a position, on a read-only connection (`mode=ro`); rows that
are not Rasa events are skipped (logged) but passed, so each is read once. The broker's
table `broker` names the file (`source`): a new file, numbered from 1 again, is a new
source. The one write: `release` deletes the rows the consumer has stored (at or below
its committed cursor), so that the file stops growing; ids never repeat (AUTOINCREMENT),
so nothing written later is taken for what was released.
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

    def release(self, source: str, position: int) -> None:
        """Delete the rows up to `position`, when the file is still `source` (never in a
        file another broker wrote: that is not ours to prune)."""
        if source == UNNAMED_SOURCE:
            return
        try:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS)
            with closing(connection), connection:  # closed, after one transaction
                named = connection.execute("SELECT value FROM broker WHERE key = 'source'")
                row = named.fetchone()
                if row is None or row[0] != source:
                    return  # another file now (or Rasa's own broker's): not ours to prune
                connection.execute("DELETE FROM events WHERE id <= ?", (position,))
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot release the event broker's rows: {exc}") from exc

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
