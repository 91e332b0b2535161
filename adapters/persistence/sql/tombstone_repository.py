"""SqlTombstoneRepository: the ids of deleted users."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sql.dialect_insert import dialect_insert
from adapters.persistence.sql.tables import user_tombstones

__all__ = ["SqlTombstoneRepository"]


class SqlTombstoneRepository:
    """Tombstones on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, user_id: str, at: datetime) -> None:
        statement = (
            dialect_insert(self._connection, user_tombstones)
            .values(user_id=user_id, deleted_at=at)
            .on_conflict_do_nothing()
        )
        await self._connection.execute(statement)

    async def contains(self, user_id: str) -> bool:
        statement = sa.select(sa.literal(1)).where(user_tombstones.c.user_id == user_id)
        return (await self._connection.execute(statement)).first() is not None
