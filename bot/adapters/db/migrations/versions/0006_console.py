"""The agent console: accounts, their sessions, and who has a ticket.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWARE = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create accounts and console sessions; give tickets their agent and outcome; a
    notice may have no order."""
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", AWARE, nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_accounts_username")),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", AWARE, nullable=False),
        sa.Column("last_seen_at", AWARE, nullable=False),
        sa.Column("expires_at", AWARE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("digest", name=op.f("uq_console_sessions_digest")),
    )
    op.create_index("ix_console_sessions_username", "console_sessions", ["username"])
    # A hand-off notice ("nobody took it yet") may be about a conversation with no order.
    with op.batch_alter_table("notices") as table:
        table.alter_column("order_number", existing_type=sa.String(), nullable=True)
    with op.batch_alter_table("tickets") as table:
        table.add_column(sa.Column("agent", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("outcome", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("contact", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("overdue_at", AWARE, nullable=True))


def downgrade() -> None:
    """Drop what upgrade made."""
    with op.batch_alter_table("tickets") as table:
        table.drop_column("overdue_at")
        table.drop_column("contact")
        table.drop_column("outcome")
        table.drop_column("agent")
    with op.batch_alter_table("notices") as table:
        table.alter_column("order_number", existing_type=sa.String(), nullable=False)
    op.drop_table("console_sessions")
    op.drop_table("accounts")
