"""Rasa's in-memory tracker store, bounded: it forgets idle conversations and caps their number.

Stock `InMemoryTrackerStore` keeps every conversation for the life of the
process, so a client inventing sender ids grows the Rasa server until it is
killed. Here a conversation idle longer than `idle_seconds` is forgotten, and
at most `max_conversations` are kept: the least recently used goes first. A
forgotten conversation starts over, as after a restart; nothing in it decided
who may see an order (the core keeps that).

    endpoints.yml:
      tracker_store:
        type: bot.rasa_server.tracker_store.BoundedInMemoryTrackerStore
        idle_seconds: 3600
        max_conversations: 10000

With an event broker, stock Rasa finds a turn's new events by reading the stored
conversation back (a JSON decode and a replay of every event, each turn) and counting;
here the count is remembered instead: the events the conversation had when it was read
for this turn (or last saved) are the ones already published. Our SQLite broker is handed
the new events as they are (`publish_events`); any other broker gets Rasa's dicts.

Rasa creates it with `host=`, `domain=`, `event_broker=` and the other keys
of that section as keyword arguments. Rasa side: Rasa and the standard library only.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

DEFAULT_IDLE_SECONDS = 3600.0
DEFAULT_MAX_CONVERSATIONS = 10_000


class BoundedInMemoryTrackerStore(InMemoryTrackerStore):
    """Conversations in memory, each forgotten after `idle_seconds` or when over the cap."""

    def __init__(
        self,
        domain: Domain,
        event_broker: EventBroker | None = None,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        max_conversations: int = DEFAULT_MAX_CONVERSATIONS,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)  # Rasa passes the section's url, which means nothing here
        super().__init__(domain, event_broker, **kwargs)
        if float(idle_seconds) <= 0 or int(max_conversations) < 1:
            raise ValueError("idle_seconds and max_conversations must be positive")
        self.idle_seconds = float(idle_seconds)
        self.max_conversations = int(max_conversations)
        self.clock = clock
        # The serialised trackers, least recently used first; `used` holds when.
        self.store: OrderedDict[str, str] = OrderedDict()
        self.used: dict[str, float] = {}
        # Per conversation: how many of its events (as `retrieve` gives them, the latest
        # session's) the event broker has had.
        self.published: dict[str, int] = {}

    def _touch(self, sender_id: str) -> None:
        self.store.move_to_end(sender_id)
        self.used[sender_id] = self.clock()

    def _forget_idle(self) -> None:
        """Drop conversations idle too long; the oldest are first, so stop at a fresh one."""
        oldest_kept = self.clock() - self.idle_seconds
        while self.store:
            sender_id = next(iter(self.store))
            if self.used.get(sender_id, 0.0) > oldest_kept:
                break
            self._drop(sender_id)

    def _drop(self, sender_id: str) -> None:
        self.store.pop(sender_id, None)
        self.used.pop(sender_id, None)
        self.published.pop(sender_id, None)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Publish the events added since the conversation was read (or last saved)."""
        if self.event_broker is None:
            return
        events = list(tracker.events)
        done = self.published.get(tracker.sender_id, 0)
        self.published[tracker.sender_id] = len(events)
        hand_over = getattr(self.event_broker, "publish_events", None)
        if hand_over is not None:  # ours: converted off the event loop, by its writer
            hand_over(tracker.sender_id, events[done:])
        else:
            await self._stream_new_events(self.event_broker, events[done:], tracker.sender_id)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of a conversation; its events count as published."""
        tracker = await self._retrieve(sender_id, fetch_all_sessions=False)
        if tracker is None:
            self.published.pop(sender_id, None)
        else:
            self.published[sender_id] = len(tracker.events)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the conversation as the most recently used; drop what is idle or over the cap."""
        await super().save(tracker)
        self._touch(tracker.sender_id)
        self._forget_idle()
        while len(self.store) > self.max_conversations:
            self._drop(next(iter(self.store)))

    async def _retrieve(
        self, sender_id: str, fetch_all_sessions: bool
    ) -> DialogueStateTracker | None:
        self._forget_idle()
        if sender_id in self.store:
            self._touch(sender_id)
        return await super()._retrieve(sender_id, fetch_all_sessions)

    async def keys(self) -> Iterable[str]:
        """The conversations still remembered."""
        self._forget_idle()
        return list(self.store.keys())
