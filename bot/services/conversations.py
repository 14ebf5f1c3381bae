"""Copying conversation events from Rasa's event broker into the project's own tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.ports import ConversationLog, EventSource


@dataclass(frozen=True)
class Copied:
    """One round of copying: events read, how many of them were new, whether more wait."""

    read: int
    stored: int
    more: bool


def copy_events(source: EventSource, log: ConversationLog, limit: int, now: datetime) -> Copied:
    """Copy the next batch (at most `limit` events) after the source's stored cursor.

    The batch, its summaries and the cursor are kept in one transaction, so a process
    killed at any point kept the whole batch or none of it: after a restart the copy
    resumes at the cursor, and an event kept already would be skipped anyway."""
    if limit < 1:
        raise ValueError("limit must be 1 or more")
    name = source.name()
    if name is None:
        return Copied(0, 0, more=False)
    start = log.position(name)
    batch = source.read_after(name, start, limit)
    if batch.position <= start:
        return Copied(0, 0, more=False)
    stored = log.store(batch, now)
    # Broker ids are consecutive: a full batch spans `limit` of them, and more may wait.
    return Copied(len(batch.events), stored, more=batch.position - start >= limit)


def release_stored(source: EventSource, log: ConversationLog) -> None:
    """Let the source forget the events the log has kept (up to its cursor)."""
    name = source.name()
    if name is None:
        return
    position = log.position(name)
    if position > 0:
        source.release(name, position)
