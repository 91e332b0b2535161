"""SqlProcessedEventRepository: provider event ids, recorded with the event's effects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sql.dialect_insert import dialect_insert
from adapters.persistence.sql.tables import processed_events

__all__ = ["SqlProcessedEventRepository"]


class SqlProcessedEventRepository:
    """Event ids on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(self, provider: str, event_id: str, at: datetime) -> bool:
        """INSERT .. ON CONFLICT DO NOTHING: a concurrent duplicate waits on the first one's
        uncommitted row (PostgreSQL) or on the write lock (SQLite), then inserts nothing."""
        statement = (
            dialect_insert(self._connection, processed_events)
            .values(provider=provider, event_id=event_id, processed_at=at)
            .on_conflict_do_nothing()
        )
        result = await self._connection.execute(statement)
        return bool(result.rowcount)
