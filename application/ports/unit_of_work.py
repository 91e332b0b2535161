"""The unit of work: one transaction over every repository; rolls back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

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

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork(Protocol):
    """Use as `async with factory() as uow: ...; await uow.commit()`.

    Leaving the block without `commit()` (or with an exception) rolls everything back.
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

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Opens a new unit of work."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """A new unit of work. `read_only` ones never write and never wait for writers:
        each statement sees the latest committed state (no snapshot across statements), so
        reads on the hot path cost one round trip each and take no lock."""
