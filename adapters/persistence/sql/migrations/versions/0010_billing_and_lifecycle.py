"""Create subscriptions, processed events, user tombstones, the billing outbox and overage
reports (API.md §7, §9).

Revision ID: 0010
Revises: 0003
Create Date: 2026-12-02

Types are spelled out here rather than imported from tables.py: a migration is a frozen record.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sortable_text() -> sa.types.TypeEngine[str]:
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
    )


def upgrade() -> None:
    utc = sa.DateTime(timezone=True)
    op.create_table(
        "subscriptions",
        sa.Column("user_id", _sortable_text(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("subscription_id", sa.Text(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("past_due", sa.Boolean(), nullable=False),
        sa.Column("current_period_start", utc, nullable=True),
        sa.Column("current_period_end", utc, nullable=True),
        sa.Column("last_event_at", utc, nullable=True),
        sa.Column("updated_at", utc, nullable=False),
        _user_fk("subscriptions"),
        sa.PrimaryKeyConstraint("user_id", name="pk_subscriptions"),
        sa.UniqueConstraint("customer_id", name="uq_subscriptions_customer_id"),
    )
    op.create_index("ix_subscriptions_subscription_id", "subscriptions", ["subscription_id"])
    op.create_table(
        "processed_events",
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("processed_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("provider", "event_id", name="pk_processed_events"),
    )
    op.create_table(
        "user_tombstones",
        sa.Column("user_id", _sortable_text(), nullable=False),
        sa.Column("deleted_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_user_tombstones"),
    )
    op.create_table(
        "billing_outbox",
        sa.Column("id", _sortable_text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", utc, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", utc, nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_billing_outbox"),
        sa.UniqueConstraint("key", name="uq_billing_outbox_key"),
    )
    op.create_index(
        "ix_billing_outbox_delivered_at_next_attempt_at",
        "billing_outbox",
        ["delivered_at", "next_attempt_at"],
    )
    op.create_table(
        "overage_reports",
        sa.Column("user_id", _sortable_text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("reported_calls", sa.BigInteger(), nullable=False),
        _user_fk("overage_reports"),
        sa.PrimaryKeyConstraint("user_id", "period", name="pk_overage_reports"),
    )


def downgrade() -> None:
    for table in (
        "overage_reports",
        "billing_outbox",
        "user_tombstones",
        "processed_events",
        "subscriptions",
    ):
        op.drop_table(table)
