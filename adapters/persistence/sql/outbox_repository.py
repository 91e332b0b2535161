"""SqlOutboxRepository: calls owed to the payment provider."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sql.dialect_insert import dialect_insert
from adapters.persistence.sql.tables import billing_outbox
from domain.billing.outbox import MAX_ATTEMPTS, OutboxMessage

__all__ = ["SqlOutboxRepository"]


class SqlOutboxRepository:
    """The outbox on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, message: OutboxMessage) -> bool:
        statement = (
            dialect_insert(self._connection, billing_outbox)
            .values(msgspec.structs.asdict(message))
            .on_conflict_do_nothing()
        )
        return bool((await self._connection.execute(statement)).rowcount)

    async def due(self, now: datetime, limit: int) -> Sequence[OutboxMessage]:
        statement = (
            sa.select(billing_outbox)
            .where(
                billing_outbox.c.delivered_at.is_(None),
                billing_outbox.c.next_attempt_at <= now,
                billing_outbox.c.attempts < MAX_ATTEMPTS,
            )
            .order_by(billing_outbox.c.next_attempt_at, billing_outbox.c.id)
            .limit(limit)
        )
        return [_message(row) for row in await self._connection.execute(statement)]

    async def get(self, message_id: str) -> OutboxMessage | None:
        statement = sa.select(billing_outbox).where(billing_outbox.c.id == message_id)
        row = (await self._connection.execute(statement)).first()
        return None if row is None else _message(row)

    async def save(self, message: OutboxMessage) -> None:
        values = msgspec.structs.asdict(message)
        del values["id"]
        await self._connection.execute(
            sa.update(billing_outbox).where(billing_outbox.c.id == message.id).values(values)
        )


def _message(row: Any) -> OutboxMessage:
    return OutboxMessage(**row._asdict())
