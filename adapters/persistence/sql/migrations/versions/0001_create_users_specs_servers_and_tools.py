"""Create users, specs, servers and tools.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

Types are spelled out here rather than imported from tables.py: a migration is a frozen record.
UtcDateTime is only Python-side conversion over `DateTime(timezone=True)`, so the DDL is the same.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sortable_text() -> sa.types.TypeEngine[str]:
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _json() -> sa.JSON:
    return sa.JSON(none_as_null=True)


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _owner_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["owner_id"], ["users.id"], name=f"fk_{table}_owner_id_users", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", _sortable_text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    op.create_table(
        "specs",
        sa.Column("id", _sortable_text(), nullable=False),
        sa.Column("owner_id", _sortable_text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("openapi_version", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("operation_count", sa.Integer(), nullable=False),
        sa.Column("tool_count", sa.Integer(), nullable=False),
        sa.Column("warnings", _json(), nullable=False),
        sa.Column("raw_spec", _json(), nullable=False),
        *_timestamps(),
        _owner_fk("specs"),
        sa.PrimaryKeyConstraint("id", name="pk_specs"),
    )
    op.create_index("ix_specs_owner_id_created_at", "specs", ["owner_id", "created_at", "id"])
    op.create_table(
        "servers",
        sa.Column("id", _sortable_text(), nullable=False),
        sa.Column("owner_id", _sortable_text(), nullable=False),
        sa.Column("spec_id", _sortable_text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("endpoint_id", sa.Text(), nullable=False),
        sa.Column("token_digest", sa.Text(), nullable=False),
        sa.Column("auth_mode", sa.Text(), nullable=False),
        sa.Column("auth_config", _json(), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("rate_limit_per_minute", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False),
        *_timestamps(),
        _owner_fk("servers"),
        sa.ForeignKeyConstraint(
            ["spec_id"], ["specs.id"], name="fk_servers_spec_id_specs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_servers"),
        sa.UniqueConstraint("endpoint_id", name="uq_servers_endpoint_id"),
        sa.UniqueConstraint("owner_id", "slug", name="uq_servers_owner_id_slug"),
    )
    op.create_index("ix_servers_owner_id_created_at", "servers", ["owner_id", "created_at", "id"])
    op.create_index("ix_servers_spec_id", "servers", ["spec_id"])
    op.create_table(
        "tools",
        sa.Column("id", _sortable_text(), nullable=False),
        sa.Column("server_id", _sortable_text(), nullable=False),
        sa.Column("owner_id", _sortable_text(), nullable=False),
        sa.Column("name", _sortable_text(), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column(
            "description_overridden", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("input_schema", _json(), nullable=False),
        sa.Column("output_schema", _json(), nullable=True),
        sa.Column("annotations", _json(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("routing", _json(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["server_id"], ["servers.id"], name="fk_tools_server_id_servers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tools"),
        sa.UniqueConstraint("server_id", "name", name="uq_tools_server_id_name"),
    )


def downgrade() -> None:
    op.drop_table("tools")
    op.drop_table("servers")
    op.drop_table("specs")
    op.drop_table("users")
