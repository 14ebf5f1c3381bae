"""Reveals: which lead showed a conversation's personal data, and when.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-16
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create reveals."""
    op.create_table(
        "reveals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation", sa.String(length=256), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reveals")),
    )
    op.create_index("ix_reveals_conversation_at", "reveals", ["conversation", "at"])


def downgrade() -> None:
    """Drop reveals."""
    op.drop_table("reveals")
