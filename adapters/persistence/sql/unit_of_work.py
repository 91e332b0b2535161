"""SqlUnitOfWork: one connection, one transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.persistence.sql.credential_repository import SqlCredentialRepository
from adapters.persistence.sql.outbox_repository import SqlOutboxRepository
from adapters.persistence.sql.overage_ledger import SqlOverageLedger
from adapters.persistence.sql.processed_event_repository import SqlProcessedEventRepository
from adapters.persistence.sql.server_repository import SqlServerRepository
from adapters.persistence.sql.spec_repository import SqlSpecRepository
from adapters.persistence.sql.subscription_repository import SqlSubscriptionRepository
from adapters.persistence.sql.tombstone_repository import SqlTombstoneRepository
from adapters.persistence.sql.tool_repository import SqlToolRepository
from adapters.persistence.sql.user_repository import SqlUserRepository
from application.ports.billing_repositories import (
    OutboxRepository,
    OverageLedger,
    ProcessedEventRepository,
    SubscriptionRepository,
    TombstoneRepository,
)
from application.ports.repositories import (
    CredentialRepository,
    ServerRepository,
    SpecRepository,
    ToolRepository,
    UserRepository,
)

__all__ = ["SqlUnitOfWork", "SqlUnitOfWorkFactory"]


class SqlUnitOfWork:
    """A transaction on its own connection; leaving without `commit()` rolls it back."""

    users: UserRepository
    specs: SpecRepository
    servers: ServerRepository
    tools: ToolRepository
    credentials: CredentialRepository
    subscriptions: SubscriptionRepository
    processed_events: ProcessedEventRepository
    tombstones: TombstoneRepository
    outbox: OutboxRepository
    overage: OverageLedger

    def __init__(self, engine: AsyncEngine, read_only: bool = False) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._read_only = read_only

    async def __aenter__(self) -> Self:
        connection = await self._engine.connect()
        try:
            if self._read_only:
                # Autocommit: no BEGIN/COMMIT round trips and, on SQLite, no write lock.
                await connection.execution_options(isolation_level="AUTOCOMMIT")
            else:
                await connection.begin()
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self.users = SqlUserRepository(connection)
        self.specs = SqlSpecRepository(connection)
        self.servers = SqlServerRepository(connection)
        self.tools = SqlToolRepository(connection)
        self.credentials = SqlCredentialRepository(connection)
        self.subscriptions = SqlSubscriptionRepository(connection)
        self.processed_events = SqlProcessedEventRepository(connection)
        self.tombstones = SqlTombstoneRepository(connection)
        self.outbox = SqlOutboxRepository(connection)
        self.overage = SqlOverageLedger(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._active(), None
        try:
            if connection.in_transaction():
                await connection.rollback()
        finally:
            await connection.close()

    async def commit(self) -> None:
        """Commit; later statements of the same block run in a new transaction."""
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        await self._active().commit()

    async def rollback(self) -> None:
        await self._active().rollback()

    def _active(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._connection


class SqlUnitOfWorkFactory:
    """Opens units of work on `engine` (see `create_sql_engine`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._engine, read_only)
