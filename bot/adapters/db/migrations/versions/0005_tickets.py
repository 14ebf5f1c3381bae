"""Hand-off tickets: the packet a person on the team takes a conversation over with.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWARE = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create tickets."""
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("conversation", sa.String(length=256), nullable=False),
        sa.Column("active_key", sa.String(length=300), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("how", sa.String(length=64), nullable=False),
        sa.Column("order_number", sa.String(), nullable=True),
        sa.Column("packet", sa.JSON(), nullable=False),
        sa.Column("created_at", AWARE, nullable=False),
        sa.Column("taken_at", AWARE, nullable=True),
        sa.Column("closed_at", AWARE, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("reference", name=op.f("uq_tickets_reference")),
        sa.UniqueConstraint("active_key", name=op.f("uq_tickets_active_key")),
    )
    op.create_index("ix_tickets_state_created_at", "tickets", ["state", "created_at"])


def downgrade() -> None:
    """Drop tickets."""
    op.drop_table("tickets")
