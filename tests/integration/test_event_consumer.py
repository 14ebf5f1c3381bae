"""`wismo events` copies the event broker's file into the order store, each event once.

The broker's file is filled with real events (tests/fixtures/events/rest_conversation.json:
one REST conversation as the stack's broker wrote it), repeated over many conversations.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.adapters.db.conversations import SqlConversationLog
from bot.adapters.db.models import ConsumerCursorRow, ConversationEventRow, ConversationRow
from bot.adapters.events.sqlite import SqliteEventSource
from tests.support.stack import ROOT

WISMO = ROOT / ".venv" / "bin" / "wismo"
CONVERSATION = json.loads((ROOT / "tests/fixtures/events/rest_conversation.json").read_text())
# The broker's schema (bot/rasa_server/event_broker.py, which runs in the Rasa env).
SCHEMA = (
    "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id TEXT, data TEXT)",
    "CREATE TABLE broker (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def broker_file(path: Path, conversations: int) -> int:
    """A broker file holding `conversations` copies of the real conversation; its events."""
    with sqlite3.connect(path) as connection:
        for statement in SCHEMA:
            connection.execute(statement)
        connection.execute("INSERT INTO broker VALUES ('source', ?)", (uuid.uuid4().hex,))
    return add_conversations(path, range(conversations))


def add_conversations(path: Path, numbers: range) -> int:
    """Append a copy of the real conversation per number, as the broker does; its events."""
    rows = []
    for n in numbers:
        for event in CONVERSATION:
            shifted = {**event, "sender_id": f"shopper-{n}", "timestamp": event["timestamp"] + n}
            rows.append((f"shopper-{n}", json.dumps(shifted)))
    with sqlite3.connect(path) as connection:
        connection.executemany("INSERT INTO events (sender_id, data) VALUES (?, ?)", rows)
    return len(rows)


def broker_rows(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])


def consumer(engine: Engine, events_db: Path, **settings: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "EVENTS_DB": str(events_db),
        "EVENTS_BATCH_SIZE": "7",  # many small transactions: a kill lands among them
        "EVENTS_POLL_SECONDS": "0.1",
        **settings,
    }
    return subprocess.Popen(
        [str(WISMO), "events"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def position(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.max(ConsumerCursorRow.position))) or 0


def wait_for_position(engine: Engine, proc: subprocess.Popen[bytes], at_least: int) -> int:
    deadline = time.monotonic() + 120
    while (reached := position(engine)) < at_least:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, f"stuck at {reached}"
        time.sleep(0.01)
    return reached


def test_a_consumer_killed_mid_stream_and_restarted_stores_every_event_exactly_once(
    store_engine: Engine, tmp_path: Path
) -> None:
    events_db = tmp_path / "events.db"
    total = broker_file(events_db, conversations=80)

    for stop_at in (total // 4, total // 2):  # killed twice, without warning, mid-stream
        proc = consumer(store_engine, events_db)
        reached = wait_for_position(store_engine, proc, stop_at)
        # It copies at the lowest CPU priority: the shoppers' turns come first.
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) == 19
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert reached < total, "the consumer finished before it could be killed"

    proc = consumer(store_engine, events_db)
    try:
        wait_for_position(store_engine, proc, total)
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0

    with store_engine.connect() as connection:
        stored = connection.execute(
            select(ConversationEventRow.conversation, ConversationEventRow.number)
        ).all()
        summaries = connection.execute(select(ConversationRow)).all()
    assert len(stored) == total
    assert sorted(number for _, number in stored) == list(range(1, total + 1))
    per_conversation = len(CONVERSATION)
    assert len(summaries) == 80
    assert {row.events for row in summaries} == {per_conversation}  # counted once each
    assert {row.user_messages for row in summaries} == {5}


def test_the_copy_keeps_the_transcript_and_its_summary_but_no_personal_entity_values(
    store_engine: Engine, tmp_path: Path
) -> None:
    events_db = tmp_path / "events.db"
    broker_file(events_db, conversations=1)
    run = subprocess.run(
        [str(WISMO), "events", "--once"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": store_engine.url.render_as_string(hide_password=False),
            "EVENTS_DB": str(events_db),
        },
        capture_output=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr.decode()

    log = SqlConversationLog.on(store_engine)
    events = log.events_of("shopper-0")
    lines = [(e.kind, e.text) for e in events if e.kind in ("user", "bot")]
    assert lines[:4] == [
        ("user", "hi"),
        ("bot", CONVERSATION[7]["text"]),
        ("user", "where is my order WM-104233?"),
        ("bot", CONVERSATION[18]["text"]),
    ]
    asked = next(e for e in events if e.text == "where is my order WM-104233?")
    assert (asked.intent, asked.input_channel) == ("order_status", "rest")
    assert asked.confidence is not None and asked.confidence > 0.5
    email = next(e for e in events if e.text == "jane.doe@example.com")
    assert [(x.name, x.value) for x in email.entities] == [("email", None)]  # kept in text only
    said = next(e for e in events if e.kind == "bot" and e.action == "utter_order_single")
    assert said.details == {}  # the response's values (tracking numbers, places) are not kept

    summary = log.summary("shopper-0")
    assert summary is not None
    assert (summary.channel, summary.user_messages, summary.events) == ("rest", 5, 58)
    assert summary.intents == ("greet", "order_status", "inform", "thank", "request_human")
    assert summary.order_numbers == ("WM-104233",)


@pytest.mark.parametrize("missing", ["file", "table"])
def test_the_consumer_waits_for_a_broker_file_that_is_not_there_yet(
    store_engine: Engine, tmp_path: Path, missing: str
) -> None:
    events_db = tmp_path / "events.db"
    if missing == "table":
        sqlite3.connect(events_db).close()
    proc = consumer(store_engine, events_db)
    try:
        time.sleep(3)  # it starts and polls the absent file
        assert proc.poll() is None
        if missing == "table":
            events_db.unlink()
        total = broker_file(events_db, conversations=2)
        wait_for_position(store_engine, proc, total)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_batch_stored_twice_is_counted_once(store_engine: Engine, tmp_path: Path) -> None:
    events_db = tmp_path / "events.db"
    broker_file(events_db, conversations=1)
    source = SqliteEventSource(events_db)
    name = source.name()
    assert name is not None
    batch = source.read_after(name, 0, 100)
    log = SqlConversationLog.on(store_engine)
    now = datetime.now(UTC)
    assert log.store(batch, now) == len(CONVERSATION)
    assert log.store(batch, now) == 0  # a second consumer, or a replay: a no-op
    summary = log.summary("shopper-0")
    assert summary is not None and summary.events == len(CONVERSATION)
    assert log.position(name) == len(CONVERSATION)


def test_the_broker_file_forgets_what_the_consumer_stored_and_what_comes_after_is_still_copied(
    store_engine: Engine, tmp_path: Path
) -> None:
    """Left alone, the broker's file would grow with every turn for ever."""
    events_db = tmp_path / "events.db"
    first = broker_file(events_db, conversations=20)
    proc = consumer(store_engine, events_db, EVENTS_RELEASE_SECONDS="0.2")
    try:
        wait_for_position(store_engine, proc, first)
        deadline = time.monotonic() + 30
        while broker_rows(events_db):
            assert time.monotonic() < deadline, f"{broker_rows(events_db)} rows still kept"
            time.sleep(0.05)
        later = add_conversations(events_db, range(20, 25))  # ids go on from where they were
        wait_for_position(store_engine, proc, first + later)
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0
    with store_engine.connect() as connection:
        numbers = connection.scalars(select(ConversationEventRow.number)).all()
        conversations = connection.scalar(select(func.count()).select_from(ConversationRow))
    assert sorted(numbers) == list(range(1, first + later + 1))  # none lost, none twice
    assert conversations == 25
