"""The event broker (bot/rasa_server/event_broker.py) writes Rasa's events off the loop."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from bot.channels.identity import IDENTITY_KEY
from bot.rasa_server.event_broker import SqliteEventBroker
from bot.rasa_server.launch import ACTION_TOKEN_ENV
from bot.rasa_server.tracker_store import BoundedInMemoryTrackerStore
from tests.support.stack import ROOT

SEALED = "eyJzZWFsZWQiOiAiaWRlbnRpdHkifQ.c2lnbmF0dXJl"
ADDRESS = "203.0.113.9"


def uttered(text: str) -> UserUttered:
    """A message as Rasa's processor logs it: parsed, with the channel's sealed identity."""
    parse_data = {
        "text": text,
        "intent": {"name": "where_is_my_order", "confidence": 0.97},
        "entities": [],
        "metadata": {IDENTITY_KEY: SEALED},
    }
    return UserUttered(
        text,
        parse_data["intent"],
        [],
        parse_data,
        input_channel="rest",
        metadata={IDENTITY_KEY: SEALED, "address": ADDRESS},  # what a channel saw of the client
    )


def user_event(sender: str, text: str) -> dict[str, Any]:
    """A user event as Rasa publishes it: the channel's sealed identity in its metadata."""
    return {"sender_id": sender, **uttered(text).as_dict()}


def rows(path: Path) -> list[tuple[str, dict[str, Any]]]:
    with sqlite3.connect(path) as connection:
        found = connection.execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
    return [(sender, json.loads(data)) for sender, data in found]


def wait_for(check: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


async def test_endpoints_yml_makes_rasa_create_this_broker_on_the_events_db_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv(ACTION_TOKEN_ENV, "x")
    monkeypatch.setenv("EVENTS_DB", str(tmp_path / "events.db"))
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "event_broker")
    broker = await EventBroker.create(config)
    assert type(broker) is SqliteEventBroker, type(broker)
    assert broker.is_ready()
    broker.publish({"sender_id": "a", "event": "action", "name": "action_order_status"})
    await broker.close()
    assert rows(tmp_path / "events.db") == [
        ("a", {"sender_id": "a", "event": "action", "name": "action_order_status"})
    ]


async def test_every_event_of_a_saved_tracker_is_written_in_order_without_the_sealed_identity(
    tmp_path: Path,
) -> None:
    broker = SqliteEventBroker(str(tmp_path / "events.db"))
    store = BoundedInMemoryTrackerStore(Domain.empty(), event_broker=broker)
    tracker = DialogueStateTracker("shopper-1", [])
    events = [
        # Rasa copies the first message's metadata into this slot when a session starts.
        SlotSet("session_started_metadata", {IDENTITY_KEY: SEALED, "other": 1}),
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        uttered("where is WM-104233?"),
        SlotSet("order_ref", "WM-104233"),
        SlotSet("last_order", "WM-104233"),
        BotUttered("Let me look.", metadata={"utter_action": "utter_looking"}),
    ]
    for event in events:
        tracker.update(event)
    await store.save(tracker)
    await broker.close()

    written = rows(tmp_path / "events.db")
    # What the conversation log reads; not action_listen, nor slots other than the orders.
    assert [sender for sender, _ in written] == ["shopper-1"] * 5
    kinds = ["action", "session_started", "user", "slot", "bot"]
    assert [data["event"] for _, data in written] == kinds
    user = written[2][1]
    assert (user["text"], user["input_channel"]) == ("where is WM-104233?", "rest")
    assert user["parse_data"]["intent"]["name"] == "where_is_my_order"
    assert set(user["parse_data"]) <= {"intent", "entities", "text"}  # no rankings
    assert SEALED not in json.dumps(written) and ADDRESS not in json.dumps(written)
    assert user["metadata"] == {}
    assert written[3][1]["name"] == "last_order"
    assert written[4][1]["metadata"]["utter_action"] == "utter_looking"


async def test_events_are_written_in_batches_and_the_rest_on_close(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    broker = SqliteEventBroker(str(path), batch_size=3, flush_seconds=30)
    for n in range(7):
        broker.publish(user_event("s", f"message {n}"))
    wait_for(lambda: len(rows(path)) == 6)  # two full batches, without waiting 30 s
    time.sleep(0.3)
    assert len(rows(path)) == 6  # the seventh waits for its batch to fill or time out
    await broker.close()
    assert [data["text"] for _, data in rows(path)] == [f"message {n}" for n in range(7)]


async def test_a_lone_event_is_written_within_the_flush_interval(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    broker = SqliteEventBroker(str(path), batch_size=200, flush_seconds=0.1)
    broker.publish(user_event("s", "hello"))
    wait_for(lambda: len(rows(path)) == 1, timeout=2)
    await broker.close()


async def test_publish_never_waits_for_a_stalled_writer_and_says_what_it_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "events.db"
    broker = SqliteEventBroker(str(path), batch_size=5, flush_seconds=0.01, max_queue=10)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # the disk stalls: the writer cannot write
    try:
        started = time.monotonic()
        with caplog.at_level(logging.ERROR, logger="bot.rasa_server.event_broker"):
            for n in range(100):
                broker.publish(user_event("s", f"message {n}"))
        assert time.monotonic() - started < 0.5
        assert broker.dropped >= 80
        assert "cannot keep up" in caplog.text
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    await broker.close()
    written = [data["text"] for _, data in rows(path)]
    assert len(written) == 100 - broker.dropped
    assert written == sorted(written, key=lambda text: int(text.split()[1]))  # still in order


async def test_each_turns_events_handed_over_by_the_tracker_store_are_written_once_in_order(
    tmp_path: Path,
) -> None:
    """The store hands each turn's new events to the broker as Rasa made them; the writer
    converts them: every user and bot event once, in order, as stock Rasa publishes them."""
    path = tmp_path / "events.db"
    broker = SqliteEventBroker(str(path))
    store = BoundedInMemoryTrackerStore(Domain.empty(), event_broker=broker)
    for turn, sender in enumerate(["a", "b", "a", "a", "b", "a"]):
        tracker = await store.retrieve(sender) or DialogueStateTracker(sender, [])
        if turn == 3:  # a new session: `retrieve` gives only its events from now on
            tracker.update(ActionExecuted("action_session_start"))
            tracker.update(SessionStarted())
        tracker.update(uttered(f"message {turn}"))
        tracker.update(SlotSet("client_level", "status"))  # no reader: not written
        tracker.update(BotUttered(f"answer {turn}"))
        tracker.update(ActionExecuted("action_listen"))  # no reader: not written
        await store.save(tracker)
        await store.save(tracker)  # saved twice: nothing new the second time
    await broker.close()
    written = [(sender, data["event"], data.get("text")) for sender, data in rows(path)]
    expected: list[tuple[str, str, str | None]] = []
    for turn, sender in enumerate(["a", "b", "a", "a", "b", "a"]):
        if turn == 3:
            expected += [("a", "action", None), ("a", "session_started", None)]
        expected += [(sender, "user", f"message {turn}"), (sender, "bot", f"answer {turn}")]
    assert written == expected
    assert SEALED not in path.read_bytes().decode("utf-8", "replace")
