"""The NPS surveys asked at the end of a conversation the bot resolved, and their answers.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWARE = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create nps_surveys."""
    op.create_table(
        "nps_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "shopper", sa.String(length=64), nullable=False, comment="keyed digest of the shopper"
        ),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("conversation", sa.String(length=256), nullable=False),
        sa.Column("order_number", sa.String(), nullable=True),
        sa.Column("asked_at", AWARE, nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True, comment="as typed; masked when shown"),
        sa.Column("answered_at", AWARE, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nps_surveys")),
    )
    op.create_index("ix_nps_surveys_shopper_asked_at", "nps_surveys", ["shopper", "asked_at"])
    op.create_index(
        "ix_nps_surveys_conversation_asked_at",
        "nps_surveys",
        ["channel", "conversation", "asked_at"],
    )
    op.create_index("ix_nps_surveys_answered_at", "nps_surveys", ["answered_at"])


def downgrade() -> None:
    """Drop nps_surveys."""
    op.drop_table("nps_surveys")
