"""Alembic environment: runs on the connection that `migrate` hands over (online mode only)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from adapters.persistence.sql.tables import metadata


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite alters tables by copying them; batch mode lets later migrations do that.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):
    raise RuntimeError("run migrations through adapters.persistence.sql.migrate")
_run_on(_connection)
