"""Told parcels: what each status answer told of a parcel, for the leads' trends.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-17
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create told_parcels."""
    op.create_table(
        "told_parcels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "conversation", sa.String(length=256), nullable=False, comment="Rasa's sender id"
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("carrier", sa.String(), nullable=False),
        sa.Column("tracking_number", sa.String(), nullable=False),
        sa.Column(
            "situation", sa.String(length=32), nullable=False, comment="the policy's reading"
        ),
        sa.Column("cause", sa.String(length=32), nullable=True, comment="the delay's, if any"),
        sa.Column("estimate", sa.Date(), nullable=True, comment="the day told, if any"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_told_parcels")),
    )
    op.create_index("ix_told_parcels_at", "told_parcels", ["at"])


def downgrade() -> None:
    """Drop told_parcels."""
    op.drop_table("told_parcels")
