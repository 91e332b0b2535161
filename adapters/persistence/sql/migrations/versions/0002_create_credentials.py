"""Create credentials: sealed upstream secrets, one server each.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Types are spelled out here rather than imported from tables.py: a migration is a frozen record.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sortable_text() -> sa.types.TypeEngine[str]:
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "credentials",
        sa.Column("id", _sortable_text(), nullable=False),
        sa.Column("server_id", _sortable_text(), nullable=False),
        sa.Column("owner_id", _sortable_text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("auth_type", sa.Text(), nullable=False),
        sa.Column("key_id", sa.Text(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scopes", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("token_endpoint", sa.Text(), nullable=True),
        sa.Column("client_id", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["server_id"],
            ["servers.id"],
            name="fk_credentials_server_id_servers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_credentials"),
    )
    op.create_index(
        "ix_credentials_server_id_auth_type_created_at",
        "credentials",
        ["server_id", "auth_type", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_table("credentials")
