"""Create usage counters, budget caps and request logs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Types are spelled out here rather than imported from tables.py: a migration is a frozen record.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sortable_text() -> sa.types.TypeEngine[str]:
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "usage_counters",
        sa.Column("user_id", _sortable_text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.Column("blocked", sa.BigInteger(), nullable=False),
        _user_fk("usage_counters"),
        sa.PrimaryKeyConstraint("user_id", "period", name="pk_usage_counters"),
    )
    op.create_table(
        "budget_caps",
        sa.Column("user_id", _sortable_text(), nullable=False),
        sa.Column("cap_micro_eur", sa.BigInteger(), nullable=False),
        _user_fk("budget_caps"),
        sa.PrimaryKeyConstraint("user_id", name="pk_budget_caps"),
    )
    op.create_table(
        "request_logs",
        sa.Column("id", _sortable_text(), nullable=False),
        sa.Column("owner_id", _sortable_text(), nullable=False),
        sa.Column("server_id", _sortable_text(), nullable=False),
        sa.Column("tool_id", sa.Text(), nullable=True),
        sa.Column("tool_name", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("upstream_ms", sa.Float(), nullable=True),
        sa.Column("is_error", sa.Boolean(), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("error_code", sa.Text(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("request_headers", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("request_body", sa.Text(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_request_logs"),
    )
    op.create_index(
        "ix_request_logs_server_id_created_at",
        "request_logs",
        ["server_id", "created_at", "id"],
    )
    op.create_index(
        "ix_request_logs_owner_id_created_at", "request_logs", ["owner_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("request_logs")
    op.drop_table("budget_caps")
    op.drop_table("usage_counters")
