"""MemoryUnitOfWork: copy the committed state on entry, publish the copy on commit."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from adapters.persistence.memory.billing_repositories import (
    MemoryOutboxRepository,
    MemoryOverageLedger,
    MemoryProcessedEventRepository,
    MemorySubscriptionRepository,
    MemoryTombstoneRepository,
    UsageCalls,
)
from adapters.persistence.memory.credential_repository import MemoryCredentialRepository
from adapters.persistence.memory.server_repository import MemoryServerRepository
from adapters.persistence.memory.spec_repository import MemorySpecRepository
from adapters.persistence.memory.tables import MemoryTables
from adapters.persistence.memory.tool_repository import MemoryToolRepository
from adapters.persistence.memory.user_repository import MemoryUserRepository
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

__all__ = ["MemoryUnitOfWork", "MemoryUnitOfWorkFactory"]


class MemoryUnitOfWork:
    """Works on a private copy of the state; leaving without `commit()` discards it.

    Units of work run one at a time (the factory's lock, held from entry to exit): two copies
    taken side by side would otherwise overwrite each other's commits. SQLite runs them one at a
    time too (BEGIN IMMEDIATE), so code that passes here does not deadlock there.
    """

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

    def __init__(self, factory: MemoryUnitOfWorkFactory, read_only: bool = False) -> None:
        self._factory = factory
        self._tables = MemoryTables()
        self._read_only = read_only

    async def __aenter__(self) -> Self:
        if self._read_only:
            # Commits publish a new copy and never change a published one: reading the
            # published state needs neither the lock nor a copy.
            self._bind(self._factory.committed)
            return self
        task = asyncio.current_task()
        if task is not None and self._factory.holder is task:
            # Waiting would never end: fail loudly instead of hanging the test run.
            raise RuntimeError("a unit of work is already open in this task")
        await self._factory.lock.acquire()
        self._factory.holder = task
        self._tables.load(self._factory.committed)
        self._bind(self._tables)
        return self

    def _bind(self, tables: MemoryTables) -> None:
        self.users = MemoryUserRepository(tables)
        self.specs = MemorySpecRepository(tables)
        self.servers = MemoryServerRepository(tables)
        self.tools = MemoryToolRepository(tables)
        self.credentials = MemoryCredentialRepository(tables)
        self.subscriptions = MemorySubscriptionRepository(tables)
        self.processed_events = MemoryProcessedEventRepository(tables)
        self.tombstones = MemoryTombstoneRepository(tables)
        self.outbox = MemoryOutboxRepository(tables)
        self.overage = MemoryOverageLedger(tables, self._factory.usage_calls)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tables = MemoryTables()
        if self._read_only:
            return
        self._factory.holder = None
        self._factory.lock.release()

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        # A copy, so that later writes in the same block stay private until committed again.
        self._factory.committed = self._tables.copy()

    async def rollback(self) -> None:
        self._tables.load(self._factory.committed)


class MemoryUnitOfWorkFactory:
    """Opens units of work over one in-process state (tests, demos, `persistence: memory`)."""

    def __init__(self) -> None:
        self.committed = MemoryTables()
        self.lock = asyncio.Lock()
        self.holder: asyncio.Task[object] | None = None
        # The overage ledger's calls; the memory usage meter keeps its counters outside these
        # tables, so the composition root points this at them.
        self.usage_calls: UsageCalls = dict

    def __call__(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self, read_only)
