"""MemoryUserRepository: accounts in the unit of work's MemoryTables."""

from __future__ import annotations

from adapters.persistence.memory.tables import MemoryTables, as_stored
from domain.users import User

__all__ = ["MemoryUserRepository"]


class MemoryUserRepository:
    """Accounts, by identity-provider subject."""

    def __init__(self, tables: MemoryTables) -> None:
        self._tables = tables

    async def get(self, user_id: str) -> User | None:
        return self._tables.users.get(user_id)

    async def lock(self, user_id: str) -> User | None:
        """Read the user; units of work already run one at a time, so that is the lock."""
        return self._tables.users.get(user_id)

    async def add(self, user: User) -> None:
        """Insert; an existing id is left as it is (first sight may race)."""
        self._tables.users.setdefault(user.id, as_stored(user))

    async def update(self, user: User) -> None:
        if user.id in self._tables.users:
            self._tables.users[user.id] = as_stored(user)

    async def erase(self, user_id: str) -> None:
        """Delete the user and every row of theirs (tombstones excepted)."""
        self._tables.erase_user(user_id)
