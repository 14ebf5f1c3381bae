"""When each WhatsApp shopper last wrote, kept on disk: a restart closes nobody's window.

Meta lets free text reach a shopper for 24 hours after they last wrote; after that
only an approved template. The channel remembers the time of each shopper's last
message in memory, and here too, in a small SQLite file (`WHATSAPP_WINDOW_DB`,
var/whatsapp-window.db by default), so that after a restart of the Rasa server a
shopper who wrote an hour ago still gets the notifier's update as plain text, not as a
template, and a reply mid-conversation is not turned into one.

The file holds no phone number: each shopper is a keyed digest of their WhatsApp
number (the key derived from the deployment's secret), with the time they last wrote.
A row is written once per message a shopper sends, read once per shopper the channel
has not seen since it started; the file is in WAL mode, and a write is one small
upsert. A file that cannot be opened or written (a full disk) costs only what the
memory-only channel did: the window is taken as closed and the template goes out.

Rasa side: the standard library and bot.channels.
"""

from __future__ import annotations

import hmac
import logging
import sqlite3
import threading
from pathlib import Path

from bot.channels import identity

logger = logging.getLogger(__name__)

DEFAULT_PATH = "var/whatsapp-window.db"
SCHEMA = "CREATE TABLE IF NOT EXISTS wrote (shopper TEXT PRIMARY KEY, wrote_at REAL NOT NULL)"
# Rows older than Meta's window say nothing; they are dropped now and then.
FORGET_AFTER_SECONDS = 24 * 3600
FORGET_EVERY_WRITES = 1000


class WindowLedger:
    """The time each shopper last wrote, by a keyed digest of their WhatsApp number."""

    def __init__(self, path: str, secret: bytes) -> None:
        self.path = path
        self._key = identity.derive(secret, "whatsapp-window")
        self._lock = threading.Lock()
        self._writes = 0
        self._connection: sqlite3.Connection | None = None

    def wrote(self, wa_id: str, at: float) -> None:
        """The shopper wrote at `at` (seconds since the epoch): kept if later than known."""
        with self._lock:
            connection = self._open()
            if connection is None:
                return
            try:
                with connection:
                    connection.execute(
                        "INSERT INTO wrote (shopper, wrote_at) VALUES (?, ?) "
                        "ON CONFLICT (shopper) DO UPDATE SET wrote_at = "
                        "max(wrote_at, excluded.wrote_at)",
                        (self._digest(wa_id), at),
                    )
                    self._writes += 1
                    if self._writes % FORGET_EVERY_WRITES == 0:
                        connection.execute(
                            "DELETE FROM wrote WHERE wrote_at < ?", (at - FORGET_AFTER_SECONDS,)
                        )
            except sqlite3.Error as error:
                logger.warning("could not keep when a WhatsApp shopper wrote: %s", error)

    def wrote_at(self, wa_id: str) -> float | None:
        """When the shopper last wrote, if the file knows."""
        with self._lock:
            connection = self._open()
            if connection is None:
                return None
            try:
                row = connection.execute(
                    "SELECT wrote_at FROM wrote WHERE shopper = ?", (self._digest(wa_id),)
                ).fetchone()
            except sqlite3.Error as error:
                logger.warning("could not read when a WhatsApp shopper wrote: %s", error)
                return None
        return None if row is None else float(row[0])

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _digest(self, wa_id: str) -> str:
        return hmac.new(self._key, wa_id.encode(), "sha256").hexdigest()

    def _open(self) -> sqlite3.Connection | None:
        if self._connection is None:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, check_same_thread=False, timeout=1.0)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute(SCHEMA)
            except (OSError, sqlite3.Error) as error:
                logger.warning("the WhatsApp window file cannot be opened: %s", error)
                return None
            self._connection = connection
        return self._connection
