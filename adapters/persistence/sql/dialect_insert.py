"""`dialect_insert`: an INSERT that knows ON CONFLICT, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["dialect_insert"]


def dialect_insert(
    connection: AsyncConnection, table: sa.Table
) -> postgresql.Insert | sqlite.Insert:
    """The connection's dialect's insert construct, with `on_conflict_do_*`.

    ON CONFLICT rather than catching the error: on PostgreSQL a failed statement aborts the
    whole unit of work's transaction.
    """
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
