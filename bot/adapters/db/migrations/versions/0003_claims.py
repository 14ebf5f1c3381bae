"""Claims, check-backs and the audit of order changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWARE = sa.DateTime(timezone=True)
DIGEST = sa.String(64)
STATUS = sa.String(32)
# Word for word the predicate of bot.adapters.db.models.ACTIVE_CLAIM.
ACTIVE_CLAIM = "state != 'closed'"


def upgrade() -> None:
    """Create the claims, check_backs and order_changes tables."""
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("tracking_number", sa.String(), nullable=False, comment="'' for the whole order"),
        sa.Column("type", STATUS, nullable=False),
        sa.Column("state", STATUS, nullable=False),
        sa.Column("remedy", STATUS, nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("opened_at", AWARE, nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=False),
        sa.Column("updated_at", AWARE, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_number"],
            ["orders.order_number"],
            name=op.f("fk_claims_order_number_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("reference", name=op.f("uq_claims_reference")),
    )
    op.create_index(
        "uq_claims_active_order_number_tracking_number_type",
        "claims",
        ["order_number", "tracking_number", "type"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_CLAIM),
        postgresql_where=sa.text(ACTIVE_CLAIM),
    )

    op.create_table(
        "check_backs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("claim_reference", sa.String(length=16), nullable=True),
        sa.Column("kind", STATUS, nullable=False),
        sa.Column("due_at", AWARE, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("conversation", DIGEST, nullable=False),
        sa.Column("created_at", AWARE, nullable=False),
        sa.Column("sent_at", AWARE, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retry_at", AWARE, nullable=True),
        sa.ForeignKeyConstraint(
            ["order_number"],
            ["orders.order_number"],
            name=op.f("fk_check_backs_order_number_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_reference"],
            ["claims.reference"],
            name=op.f("fk_check_backs_claim_reference_claims"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_backs")),
        sa.UniqueConstraint(
            "order_number", "kind", "due_at", name=op.f("uq_check_backs_order_number_kind_due_at")
        ),
    )
    op.create_index("ix_check_backs_sent_at_due_at", "check_backs", ["sent_at", "due_at"])

    op.create_table(
        "order_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("kind", STATUS, nullable=False),
        sa.Column("at", AWARE, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("conversation", DIGEST, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_number"],
            ["orders.order_number"],
            name=op.f("fk_order_changes_order_number_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_changes")),
    )
    op.create_index(op.f("ix_order_changes_order_number"), "order_changes", ["order_number"])


def downgrade() -> None:
    """Drop the claims, check_backs and order_changes tables."""
    op.drop_table("order_changes")
    op.drop_table("check_backs")
    op.drop_table("claims")
