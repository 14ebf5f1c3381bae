"""The store's own helpdesk: the ledger of the webhooks each hand-off sends it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-13
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWARE = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create helpdesk_deliveries."""
    op.create_table(
        "helpdesk_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", AWARE, nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", AWARE, nullable=False),
        sa.Column("sent_at", AWARE, nullable=True),
        sa.ForeignKeyConstraint(
            ["reference"],
            ["tickets.reference"],
            name=op.f("fk_helpdesk_deliveries_reference_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_deliveries")),
        sa.UniqueConstraint(
            "reference", "event", name=op.f("uq_helpdesk_deliveries_reference_event")
        ),
    )
    op.create_index(
        "ix_helpdesk_deliveries_state_next_at", "helpdesk_deliveries", ["state", "next_at"]
    )


def downgrade() -> None:
    """Drop helpdesk_deliveries."""
    op.drop_table("helpdesk_deliveries")
