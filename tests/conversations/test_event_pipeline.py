"""A conversation reaches the project's own tables through Rasa's event broker and `wismo events`.

The whole stack: the Rasa server's broker writes the stack's EVENTS_DB, the `events`
process of the Procfile copies it into the order store.
"""

from __future__ import annotations

import json
import sqlite3
import time

from sqlalchemy import create_engine, select

from bot.adapters.db.models import ConversationEventRow, ConversationRow
from tests.support.chat import Chat
from tests.support.stack import Stack

EMAIL = "jane.doe@example.com"


def stored_lines(stack: Stack, sender: str) -> list[tuple[str, str | None]]:
    engine = create_engine(stack.env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(ConversationEventRow.kind, ConversationEventRow.text)
                .where(ConversationEventRow.conversation == sender)
                .order_by(ConversationEventRow.number)
            ).all()
    finally:
        engine.dispose()
    return [(kind, text) for kind, text in rows if kind in ("user", "bot")]


def everything_but_text(stack: Stack, sender: str) -> str:
    """Every stored column of the conversation's events and summary but what was said."""
    engine = create_engine(stack.env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            events = connection.execute(
                select(ConversationEventRow).where(ConversationEventRow.conversation == sender)
            ).all()
            summary = connection.execute(
                select(ConversationRow).where(ConversationRow.conversation == sender)
            ).all()
    finally:
        engine.dispose()
    kept = [{k: v for k, v in row._asdict().items() if k != "text"} for row in events]
    return json.dumps([kept, [row._asdict() for row in summary]], default=str)


def test_a_rest_conversation_reaches_the_conversation_tables_without_the_sealed_identity(
    stack: Stack, chat: Chat
) -> None:
    said = [("where is my order WM-104233?", chat.say("where is my order WM-104233?"))]
    said.append((EMAIL, chat.say(EMAIL)))
    replies = [text for _, answer in said for text in answer.split("\n")]

    deadline = time.monotonic() + 10
    while len(lines := stored_lines(stack, chat.sender)) < 2 + len(replies):
        assert time.monotonic() < deadline, f"only {lines} stored"
        time.sleep(0.2)
    assert [text for kind, text in lines if kind == "user"] == [text for text, _ in said]
    assert [text for kind, text in lines if kind == "bot"] == replies

    stored = everything_but_text(stack, chat.sender)
    assert "WM-104233" in stored  # the order it was about, in the summary
    assert EMAIL not in stored  # typed by the shopper: in the text only
    assert "wismo_identity" not in stored
    # The sealed identity never reaches the broker's file either.
    with sqlite3.connect(f"file:{stack.env['EVENTS_DB']}?mode=ro", uri=True) as broker:
        data = [row[0] for row in broker.execute("SELECT data FROM events")]
    assert data and not any("wismo_identity" in row for row in data)
