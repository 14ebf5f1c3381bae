"""The bounded tracker store (bot/rasa_server/tracker_store.py) forgets and caps conversations."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from bot.rasa_server.launch import ACTION_TOKEN_ENV
from bot.rasa_server.tracker_store import BoundedInMemoryTrackerStore
from tests.support.stack import ROOT


def test_endpoints_yml_makes_rasa_create_this_store_with_its_two_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv(ACTION_TOKEN_ENV, "x")  # endpoints.yml reads these three
    monkeypatch.setenv("EVENTS_DB", "var/events.db")
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    created = TrackerStore.create(config, Domain.empty())
    assert type(created) is BoundedInMemoryTrackerStore, type(created)
    assert (created.idle_seconds, created.max_conversations) == (3600.0, 10000)


def tracker(sender: str) -> DialogueStateTracker:
    t = DialogueStateTracker(sender, [])
    t.update(UserUttered(f"hello from {sender}"))
    return t


async def test_the_tracker_store_forgets_idle_conversations_and_caps_their_number() -> None:
    now = [1000.0]
    store = BoundedInMemoryTrackerStore(
        Domain.empty(), idle_seconds=60, max_conversations=3, clock=lambda: now[0]
    )
    for sender in "abcd":
        await store.save(tracker(sender))
        now[0] += 1
    # At most three: the least recently used ("a") went first.
    assert sorted(await store.keys()) == ["b", "c", "d"], await store.keys()
    assert await store.retrieve("a") is None
    # Reading a conversation makes it recently used: "c" goes next, not "b".
    assert (await store.retrieve("b")).sender_id == "b"  # type: ignore[union-attr]
    await store.save(tracker("e"))
    assert sorted(await store.keys()) == ["b", "d", "e"], await store.keys()
    # Idle longer than a minute: forgotten, while one still talking stays.
    now[0] += 59
    await store.save(tracker("e"))
    now[0] += 2
    assert sorted(await store.keys()) == ["e"], await store.keys()
    assert await store.retrieve("b") is None
    assert (await store.retrieve_full_tracker("e")).sender_id == "e"  # type: ignore[union-attr]
    now[0] += 61
    assert await store.retrieve("e") is None
    assert list(await store.keys()) == []
    assert len(store.store) == 0 and len(store.used) == 0


class Recorder(EventBroker):
    """An event broker that keeps what it was given."""

    def __init__(self) -> None:
        self.published: list[tuple[str, str, str | None]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.published.append((event["sender_id"], event["event"], event.get("text")))


async def talk(store: InMemoryTrackerStore) -> None:
    """Turns as Rasa's processor makes them: read, add, save; a new session in the middle."""
    for turn, sender in enumerate(["a", "b", "a", "a", "b", "a"]):
        tracker = await store.retrieve(sender) or DialogueStateTracker(sender, [])
        if turn == 3:  # a new session: `retrieve` gives only its events from now on
            tracker.update(ActionExecuted("action_session_start"))
            tracker.update(SessionStarted())
        tracker.update(UserUttered(f"message {turn}"))
        tracker.update(BotUttered(f"answer {turn}"))
        await store.save(tracker)
        if turn == 4:
            await store.save(tracker)  # saved twice: nothing new the second time


async def test_with_an_event_broker_each_event_is_published_once_as_stock_rasa_does() -> None:
    ours, stock = Recorder(), Recorder()
    await talk(BoundedInMemoryTrackerStore(Domain.empty(), event_broker=ours))
    await talk(InMemoryTrackerStore(Domain.empty(), event_broker=stock))
    assert ours.published == stock.published
    texts = [text for _, kind, text in ours.published if kind == "user"]
    assert texts == [f"message {turn}" for turn in range(6)]
