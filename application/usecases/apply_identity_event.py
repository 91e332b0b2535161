"""ApplyIdentityEvent: Clerk's user.created, user.updated and user.deleted (API.md §9)."""

from __future__ import annotations

import msgspec

from application.ports.clock import Clock, IdGenerator
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.usecases.account_erasure import erase_account
from application.usecases.deliver_billing_outbox import DeliverBillingOutbox
from domain.billing.identity_events import (
    USER_CREATED,
    USER_DELETED,
    USER_UPDATED,
    IdentityEvent,
)
from domain.billing.outbox import OutboxMessage
from domain.users import User

__all__ = ["IDENTITY_PROVIDER", "ApplyIdentityEvent"]

IDENTITY_PROVIDER = "clerk"


class ApplyIdentityEvent:
    """Applies one event exactly once (its delivery id is recorded with its effects).

    A deleted user's id is tombstoned: no later event and no still-valid session token
    brings the account back.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        outbox: DeliverBillingOutbox,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._uow = uow
        self._outbox = outbox
        self._clock = clock
        self._ids = ids

    async def __call__(self, event: IdentityEvent) -> bool:
        """Apply `event`; False when it had been applied before."""
        now = self._clock.now()
        cancellation: OutboxMessage | None = None
        async with self._uow() as uow:
            if not await uow.processed_events.record(IDENTITY_PROVIDER, event.id, now):
                return False
            user_id = event.user_id
            if user_id and not await uow.tombstones.contains(user_id):
                if event.type == USER_DELETED:
                    cancellation = await erase_account(uow, user_id, now, self._ids)
                elif event.type in (USER_CREATED, USER_UPDATED):
                    await self._upsert(uow, event, user_id)
            await uow.commit()
        if cancellation is not None:
            # Best effort now; a failure leaves it queued for the outbox job.
            await self._outbox.deliver_by_id(cancellation.id)
        return True

    async def _upsert(self, uow: UnitOfWork, event: IdentityEvent, user_id: str) -> None:
        now = self._clock.now()
        current = await uow.users.lock(user_id)
        if current is None:
            await uow.users.add(
                User(id=user_id, email=event.email, name=event.name, created_at=now, updated_at=now)
            )
        elif (current.email, current.name) != (event.email, event.name):
            await uow.users.update(
                msgspec.structs.replace(current, email=event.email, name=event.name, updated_at=now)
            )
