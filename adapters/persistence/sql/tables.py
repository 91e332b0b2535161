"""The SQLAlchemy Core tables: users, specs, servers, tools and credentials.

Constraint names are fixed by the naming convention so that the repositories can translate a
violation into a domain error by name (see `constraint_errors`).
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sql.column_types import JsonDocument, SortableText, UtcDateTime

__all__ = [
    "SERVER_ENDPOINT_UNIQUE",
    "SERVER_SLUG_UNIQUE",
    "TOOL_NAME_UNIQUE",
    "billing_outbox",
    "budget_caps",
    "credentials",
    "metadata",
    "overage_reports",
    "processed_events",
    "request_logs",
    "servers",
    "specs",
    "subscriptions",
    "tools",
    "usage_counters",
    "user_tombstones",
    "users",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

SERVER_SLUG_UNIQUE = "uq_servers_owner_id_slug"
SERVER_ENDPOINT_UNIQUE = "uq_servers_endpoint_id"
TOOL_NAME_UNIQUE = "uq_tools_server_id_name"

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", SortableText, primary_key=True),
    sa.Column("plan", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=True),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

specs = sa.Table(
    "specs",
    metadata,
    sa.Column("id", SortableText, primary_key=True),
    sa.Column(
        "owner_id", SortableText, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("source_url", sa.Text, nullable=True),
    sa.Column("openapi_version", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("operation_count", sa.Integer, nullable=False),
    sa.Column("tool_count", sa.Integer, nullable=False),
    sa.Column("warnings", JsonDocument, nullable=False),
    # Can be 10+ MB: list queries select their columns explicitly and leave this one out.
    sa.Column("raw_spec", JsonDocument, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # `id` last so that "newest first, then id" is read straight off the index.
    sa.Index("ix_specs_owner_id_created_at", "owner_id", "created_at", "id"),
)

servers = sa.Table(
    "servers",
    metadata,
    sa.Column("id", SortableText, primary_key=True),
    sa.Column(
        "owner_id", SortableText, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "spec_id", SortableText, sa.ForeignKey("specs.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("slug", sa.Text, nullable=False),
    sa.Column("endpoint_id", sa.Text, nullable=False),
    sa.Column("token_digest", sa.Text, nullable=False),
    sa.Column("auth_mode", sa.Text, nullable=False),
    sa.Column("auth_config", JsonDocument, nullable=False),
    sa.Column("base_url", sa.Text, nullable=False),
    sa.Column("rate_limit_per_minute", sa.Integer, nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("owner_id", "slug", name=SERVER_SLUG_UNIQUE),
    sa.UniqueConstraint("endpoint_id", name=SERVER_ENDPOINT_UNIQUE),
    sa.Index("ix_servers_owner_id_created_at", "owner_id", "created_at", "id"),
    # Serves `list_for_spec` and keeps the cascade from specs from scanning every server.
    sa.Index("ix_servers_spec_id", "spec_id"),
)

tools = sa.Table(
    "tools",
    metadata,
    sa.Column("id", SortableText, primary_key=True),
    sa.Column(
        "server_id", SortableText, sa.ForeignKey("servers.id", ondelete="CASCADE"), nullable=False
    ),
    # No foreign key of its own: a tool goes with its server, which goes with its owner.
    sa.Column("owner_id", SortableText, nullable=False),
    sa.Column("name", SortableText, nullable=False),
    sa.Column("source_name", sa.Text, nullable=False),
    sa.Column("description_overridden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("input_schema", JsonDocument, nullable=False),
    sa.Column("output_schema", JsonDocument, nullable=True),
    sa.Column("annotations", JsonDocument, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("routing", JsonDocument, nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # Its index also serves "the tools of a server, ordered by name".
    sa.UniqueConstraint("server_id", "name", name=TOOL_NAME_UNIQUE),
)

credentials = sa.Table(
    "credentials",
    metadata,
    sa.Column("id", SortableText, primary_key=True),
    sa.Column(
        "server_id", SortableText, sa.ForeignKey("servers.id", ondelete="CASCADE"), nullable=False
    ),
    # No foreign key of its own: a credential goes with its server, which goes with its owner.
    # Kept on the row because the sealed secret is bound to it (the vault's associated data).
    sa.Column("owner_id", SortableText, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("auth_type", sa.Text, nullable=False),
    sa.Column("key_id", sa.Text, nullable=False),
    sa.Column("nonce", sa.LargeBinary, nullable=False),
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=True),
    sa.Column("scopes", JsonDocument, nullable=False),
    sa.Column("token_endpoint", sa.Text, nullable=True),
    sa.Column("client_id", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # Serves "newest usable of a type" on the hot path, and the cascade from servers.
    sa.Index(
        "ix_credentials_server_id_auth_type_created_at",
        "server_id",
        "auth_type",
        "created_at",
        "id",
    ),
)

usage_counters = sa.Table(
    "usage_counters",
    metadata,
    # The metering gate's counters: one row per user and UTC month (`YYYY-MM`), updated by one
    # conditional statement per call (adapters/persistence/sql/usage_meter.py).
    sa.Column(
        "user_id", SortableText, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("calls", sa.BigInteger, nullable=False),
    sa.Column("blocked", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("user_id", "period"),
)

budget_caps = sa.Table(
    "budget_caps",
    metadata,
    # No row: no cap. Its own table rather than a users column, so that nothing that rewrites
    # a user (webhooks, sign-in) can reset a cap.
    sa.Column(
        "user_id", SortableText, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("cap_micro_eur", sa.BigInteger, nullable=False),
)

request_logs = sa.Table(
    "request_logs",
    metadata,
    sa.Column("id", SortableText, primary_key=True),
    # No foreign keys: rows are written in batches after the call, and a batch must not fail
    # because a server was deleted meanwhile. Rows of deleted servers are never listed (the
    # server is a 404) and go with the retention purge.
    sa.Column("owner_id", SortableText, nullable=False),
    sa.Column("server_id", SortableText, nullable=False),
    sa.Column("tool_id", sa.Text, nullable=True),
    sa.Column("tool_name", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("request_id", sa.Text, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Column("upstream_ms", sa.Float, nullable=True),
    sa.Column("is_error", sa.Boolean, nullable=False),
    sa.Column("blocked", sa.Boolean, nullable=False),
    sa.Column("error_code", sa.Text, nullable=True),
    sa.Column("error_message", sa.Text, nullable=True),
    sa.Column("request_headers", JsonDocument, nullable=False),
    sa.Column("request_body", sa.Text, nullable=True),
    sa.Column("response_body", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # Keyset paging of one server's rows, newest first, read straight off the index.
    sa.Index("ix_request_logs_server_id_created_at", "server_id", "created_at", "id"),
    # Usage figures per owner and period, and the retention purge.
    sa.Index("ix_request_logs_owner_id_created_at", "owner_id", "created_at"),
)

# --- Billing and account lifecycle (API.md §7, §9) -------------------------------------------

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    # One row per user: created with the payment customer, updated by webhook events.
    sa.Column(
        "user_id", SortableText, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("customer_id", sa.Text, nullable=True),
    sa.Column("subscription_id", sa.Text, nullable=True),
    sa.Column("plan", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("past_due", sa.Boolean, nullable=False),
    sa.Column("current_period_start", UtcDateTime, nullable=True),
    sa.Column("current_period_end", UtcDateTime, nullable=True),
    # The `created` time of the newest event applied: older events never move the row back.
    sa.Column("last_event_at", UtcDateTime, nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("customer_id"),
    sa.Index("ix_subscriptions_subscription_id", "subscription_id"),
)

processed_events = sa.Table(
    "processed_events",
    metadata,
    # Written in the same transaction as the event's effects; the primary key is what makes
    # concurrent deliveries of one event have one effect.
    sa.Column("provider", sa.Text, nullable=False),
    sa.Column("event_id", sa.Text, nullable=False),
    sa.Column("processed_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("provider", "event_id"),
)

user_tombstones = sa.Table(
    "user_tombstones",
    metadata,
    # Deleted users: the one row a deletion leaves, so that the id never comes back.
    sa.Column("user_id", SortableText, primary_key=True),
    sa.Column("deleted_at", UtcDateTime, nullable=False),
)

billing_outbox = sa.Table(
    "billing_outbox",
    metadata,
    # Calls owed to the payment provider. No user column: a cancellation must outlive the
    # account it belonged to. `key` is the provider's idempotency key.
    sa.Column("id", SortableText, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("payload", JsonDocument, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("delivered_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("key"),
    sa.Index("ix_billing_outbox_delivered_at_next_attempt_at", "delivered_at", "next_attempt_at"),
)

overage_reports = sa.Table(
    "overage_reports",
    metadata,
    # Overage calls already queued for the provider, per user and period.
    sa.Column(
        "user_id", SortableText, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("reported_calls", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("user_id", "period"),
)
