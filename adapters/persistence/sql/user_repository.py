"""SqlUserRepository: accounts in the `users` table."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sql.account_eraser import erase_user_rows
from adapters.persistence.sql.tables import users
from domain.users import User

__all__ = ["SqlUserRepository"]


def _values(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "plan": user.plan,
        "email": user.email,
        "name": user.name,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


class SqlUserRepository:
    """Accounts, by identity-provider subject, on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, user_id: str) -> User | None:
        row = (
            await self._connection.execute(sa.select(users).where(users.c.id == user_id))
        ).first()
        return None if row is None else User(**row._asdict())

    async def lock(self, user_id: str) -> User | None:
        """Read the user and hold a write lock on its row until the unit of work ends.

        PostgreSQL takes a row lock (FOR UPDATE). SQLite renders no FOR UPDATE and needs none:
        the transaction already holds the database's write lock (BEGIN IMMEDIATE, engine.py).
        """
        statement = sa.select(users).where(users.c.id == user_id).with_for_update()
        row = (await self._connection.execute(statement)).first()
        return None if row is None else User(**row._asdict())

    async def add(self, user: User) -> None:
        """Insert; an existing id is left as it is (two first requests of a user may race)."""
        # ON CONFLICT DO NOTHING rather than catching the error: on PostgreSQL a failed
        # statement would abort the whole unit of work's transaction.
        statement: sa.Executable
        if self._connection.dialect.name == "postgresql":
            statement = postgresql.insert(users).values(_values(user)).on_conflict_do_nothing()
        else:
            statement = sqlite.insert(users).values(_values(user)).on_conflict_do_nothing()
        await self._connection.execute(statement)

    async def update(self, user: User) -> None:
        values = _values(user)
        del values["id"]
        await self._connection.execute(sa.update(users).where(users.c.id == user.id).values(values))

    async def erase(self, user_id: str) -> None:
        """Delete the user and every row of theirs in any table (tombstones excepted)."""
        await erase_user_rows(self._connection, user_id)
