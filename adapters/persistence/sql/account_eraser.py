"""`erase_user_rows`: delete every row any table holds for one user, read off the metadata.

Generated rather than listed so that a table added later cannot be forgotten: every table
with an `owner_id` or `user_id` column is covered. Foreign-key cascades would reach only the
tables that have one (request logs deliberately do not).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sql.tables import metadata, user_tombstones, users

__all__ = ["OWNER_COLUMNS", "erase_user_rows", "user_owned_tables"]

OWNER_COLUMNS = ("owner_id", "user_id")
# The tombstone is the one row a deletion leaves: it is what keeps the id deleted.
_KEPT = frozenset({user_tombstones.name})


def user_owned_tables() -> list[tuple[sa.Table, sa.Column[str]]]:
    """Each table holding user rows, with its owner column, children before parents."""
    owned = []
    for table in reversed(metadata.sorted_tables):
        if table.name in _KEPT or table is users:
            continue
        column = next((table.c[name] for name in OWNER_COLUMNS if name in table.c), None)
        if column is not None:
            owned.append((table, column))
    return owned


async def erase_user_rows(connection: AsyncConnection, user_id: str) -> None:
    """Delete the user's rows in every owned table, then the user."""
    for table, column in user_owned_tables():
        await connection.execute(sa.delete(table).where(column == user_id))
    await connection.execute(sa.delete(users).where(users.c.id == user_id))
