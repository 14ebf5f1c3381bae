"""Access: grants, failed checks and one-time codes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWARE = sa.DateTime(timezone=True)
DIGEST = sa.String(64)


def upgrade() -> None:
    """Create the tables the access service keeps its state in."""
    op.create_table(
        "grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("binding", DIGEST, nullable=False),
        sa.Column("conversation", DIGEST, nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("tracking_number", sa.String(), nullable=True),
        sa.Column("last_used", AWARE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
    )
    op.create_index("ix_grants_binding_conversation", "grants", ["binding", "conversation"])
    op.create_table(
        "check_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", DIGEST, nullable=False),
        sa.Column("at", AWARE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_failures")),
    )
    op.create_index("ix_check_failures_key_at", "check_failures", ["key", "at"])
    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("binding", DIGEST, nullable=False),
        sa.Column("conversation", DIGEST, nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("created_at", AWARE, nullable=False),
        sa.Column("expires_at", AWARE, nullable=False),
        sa.Column("used_at", AWARE, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_codes")),
    )
    op.create_index(
        "ix_one_time_codes_order_number_created_at",
        "one_time_codes",
        ["order_number", "created_at"],
    )


def downgrade() -> None:
    """Drop the access tables."""
    op.drop_table("one_time_codes")
    op.drop_table("check_failures")
    op.drop_table("grants")
