"""Conversations copied from Rasa's event broker: their events, summaries, the cursor.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWARE = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create conversation_events, conversations and consumer_cursors."""
    op.create_table(
        "conversation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False, comment="the broker file's id"),
        sa.Column(
            "number", sa.BigInteger(), nullable=False, comment="the broker's id of the event"
        ),
        sa.Column("conversation", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="Rasa's event name"),
        sa.Column("at", AWARE, nullable=False),
        sa.Column("intent", sa.String(length=128), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("action", sa.String(length=128), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("input_channel", sa.String(length=128), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_events")),
        sa.UniqueConstraint("source", "number", name=op.f("uq_conversation_events_source_number")),
    )
    op.create_index(
        "ix_conversation_events_conversation_at", "conversation_events", ["conversation", "at"]
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation", sa.String(length=256), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=True),
        sa.Column("started_at", AWARE, nullable=False),
        sa.Column("last_event_at", AWARE, nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("user_messages", sa.Integer(), nullable=False),
        sa.Column("bot_messages", sa.Integer(), nullable=False),
        sa.Column("intents", sa.JSON(), nullable=False),
        sa.Column("order_numbers", sa.JSON(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint("conversation", name=op.f("uq_conversations_conversation")),
    )
    op.create_index("ix_conversations_last_event_at", "conversations", ["last_event_at"])
    op.create_table(
        "consumer_cursors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", AWARE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consumer_cursors")),
        sa.UniqueConstraint("source", name=op.f("uq_consumer_cursors_source")),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("consumer_cursors")
    op.drop_table("conversations")
    op.drop_table("conversation_events")
