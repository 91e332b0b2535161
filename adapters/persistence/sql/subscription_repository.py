"""SqlSubscriptionRepository: one subscription row per user."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sql.dialect_insert import dialect_insert
from adapters.persistence.sql.tables import subscriptions
from domain.billing.subscriptions import Subscription

__all__ = ["SqlSubscriptionRepository"]


class SqlSubscriptionRepository:
    """Subscriptions on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, user_id: str) -> Subscription | None:
        return await self._one(sa.select(subscriptions).where(subscriptions.c.user_id == user_id))

    async def lock(self, user_id: str) -> Subscription | None:
        """PostgreSQL row lock; SQLite's transaction already holds the write lock."""
        statement = sa.select(subscriptions).where(subscriptions.c.user_id == user_id)
        return await self._one(statement.with_for_update())

    async def find_user(self, customer_id: str | None, subscription_id: str | None) -> str | None:
        for column, value in (
            (subscriptions.c.customer_id, customer_id),
            (subscriptions.c.subscription_id, subscription_id),
        ):
            if value is None:
                continue
            statement = sa.select(subscriptions.c.user_id).where(column == value).limit(1)
            found = (await self._connection.execute(statement)).scalar_one_or_none()
            if found is not None:
                return str(found)
        return None

    async def save(self, subscription: Subscription) -> None:
        values: dict[str, Any] = msgspec.structs.asdict(subscription)
        insert = dialect_insert(self._connection, subscriptions).values(values)
        updates = {k: v for k, v in values.items() if k != "user_id"}
        await self._connection.execute(
            insert.on_conflict_do_update(index_elements=["user_id"], set_=updates)
        )

    async def _one(self, statement: sa.Select[Any]) -> Subscription | None:
        row = (await self._connection.execute(statement)).first()
        return None if row is None else Subscription(**row._asdict())
