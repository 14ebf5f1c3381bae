"""Initial schema: customers, orders, items, shipments, tracking snapshots, sandbox trackings.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Times are stored as UTC (bot.adapters.db.models.AwareDateTime); the *_offset columns keep
# the original UTC offset in seconds. Statuses are enum values in plain strings.
AWARE = sa.DateTime(timezone=True)
STATUS = sa.String(32)


def upgrade() -> None:
    """Create every table of the order store."""
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("phone", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_index(op.f("ix_customers_email"), "customers", ["email"], unique=True)

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("placed_at", AWARE, nullable=False),
        sa.Column(
            "placed_at_offset", sa.Integer(), nullable=False, comment="UTC offset in seconds"
        ),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("ship_line1", sa.String(), nullable=False),
        sa.Column("ship_line2", sa.String(), nullable=True),
        sa.Column("ship_city", sa.String(), nullable=False),
        sa.Column("ship_region", sa.String(), nullable=True),
        sa.Column("ship_postal_code", sa.String(), nullable=False),
        sa.Column("ship_country", sa.String(length=2), nullable=False),
        sa.Column("promised_earliest", sa.Date(), nullable=True),
        sa.Column("promised_latest", sa.Date(), nullable=True),
        sa.Column("backorder_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_orders_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    op.create_index(op.f("ix_orders_order_number"), "orders", ["order_number"], unique=True)
    op.create_index("ix_orders_customer_id_placed_at", "orders", ["customer_id", "placed_at"])

    op.create_table(
        "order_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_items_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
    )
    op.create_index(op.f("ix_order_items_order_id"), "order_items", ["order_id"])

    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(), nullable=False),
        sa.Column("tracking_number", sa.String(), nullable=False),
        sa.Column("service", sa.String(), nullable=True),
        sa.Column("shipped_at", AWARE, nullable=True),
        sa.Column(
            "shipped_at_offset", sa.Integer(), nullable=True, comment="UTC offset in seconds"
        ),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_shipments_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    op.create_index(op.f("ix_shipments_order_id"), "shipments", ["order_id"])
    op.create_index(op.f("ix_shipments_tracking_number"), "shipments", ["tracking_number"])

    op.create_table(
        "tracking_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(), nullable=False),
        sa.Column("tracking_number", sa.String(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("detail", sa.String(), nullable=True),
        sa.Column("estimated_delivery", sa.Date(), nullable=True),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("fetched_at", AWARE, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_snapshots")),
        sa.UniqueConstraint(
            "carrier",
            "tracking_number",
            name=op.f("uq_tracking_snapshots_carrier_tracking_number"),
        ),
    )

    op.create_table(
        "sandbox_trackings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(), nullable=False),
        sa.Column("tracking_number", sa.String(), nullable=False),
        sa.Column("estimated_delivery", sa.Date(), nullable=True),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_trackings")),
        sa.UniqueConstraint(
            "carrier",
            "tracking_number",
            name=op.f("uq_sandbox_trackings_carrier_tracking_number"),
        ),
    )


def downgrade() -> None:
    """Drop every table of the order store."""
    op.drop_table("sandbox_trackings")
    op.drop_table("tracking_snapshots")
    op.drop_table("shipments")
    op.drop_table("order_items")
    op.drop_table("orders")
    op.drop_table("customers")
