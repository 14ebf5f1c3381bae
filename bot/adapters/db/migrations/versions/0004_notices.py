"""Proactive messages: subscriptions, opt-outs, the notice ledger, the parcels' last states.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWARE = sa.DateTime(timezone=True)
CHANNEL = sa.String(32)
RECIPIENT = sa.String(128)
STATUS = sa.String(32)


def upgrade() -> None:
    """Create subscriptions, opt_outs, notices and tracking_states; check_backs.recipient."""
    op.add_column("check_backs", sa.Column("recipient", RECIPIENT, nullable=True))
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.Column("recipient", RECIPIENT, nullable=False),
        sa.Column("consented_at", AWARE, nullable=False),
        sa.Column("stopped_at", AWARE, nullable=True),
        sa.ForeignKeyConstraint(
            ["order_number"],
            ["orders.order_number"],
            name=op.f("fk_subscriptions_order_number_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint(
            "order_number",
            "channel",
            "recipient",
            name=op.f("uq_subscriptions_order_number_channel_recipient"),
        ),
    )
    op.create_table(
        "opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.Column("recipient", RECIPIENT, nullable=False),
        sa.Column("opted_out_at", AWARE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opt_outs")),
        sa.UniqueConstraint("channel", "recipient", name=op.f("uq_opt_outs_channel_recipient")),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("kind", STATUS, nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("tracking_number", sa.String(), nullable=True),
        sa.Column("check_back_id", sa.Integer(), nullable=True),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.Column("recipient", RECIPIENT, nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("state", STATUS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", AWARE, nullable=False),
        sa.Column("created_at", AWARE, nullable=False),
        sa.Column("triggered_at", AWARE, nullable=True),
        sa.Column("sent_at", AWARE, nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_number"],
            ["orders.order_number"],
            name=op.f("fk_notices_order_number_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["check_back_id"],
            ["check_backs.id"],
            name=op.f("fk_notices_check_back_id_check_backs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("key", name=op.f("uq_notices_key")),
    )
    op.create_index(op.f("ix_notices_order_number"), "notices", ["order_number"])
    op.create_index("ix_notices_state_next_attempt_at", "notices", ["state", "next_attempt_at"])
    op.create_table(
        "tracking_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_number", sa.String(), nullable=False),
        sa.Column("change_key", sa.String(length=200), nullable=False),
        sa.Column("seen_at", AWARE, nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False, comment="webhook or poll"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_states")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_tracking_states_tracking_number")),
    )


def downgrade() -> None:
    """Drop the notifier's tables and check_backs.recipient."""
    op.drop_table("tracking_states")
    op.drop_table("notices")
    op.drop_table("opt_outs")
    op.drop_table("subscriptions")
    with op.batch_alter_table("check_backs") as batch:
        batch.drop_column("recipient")
