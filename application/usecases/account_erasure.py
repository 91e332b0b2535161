"""Erasing an account inside a unit of work: rows, tombstone, and the cancellation owed."""

from __future__ import annotations

from datetime import datetime

from application.ports.clock import IdGenerator
from application.ports.unit_of_work import UnitOfWork
from domain.billing.outbox import CANCEL_SUBSCRIPTION, OutboxMessage

__all__ = ["erase_account"]


async def erase_account(
    uow: UnitOfWork, user_id: str, now: datetime, ids: IdGenerator
) -> OutboxMessage | None:
    """Tombstone the id, delete every row of the user, and queue the cancellation of a live
    subscription (returned, so the caller can try it at once after commit).

    The cancellation goes through the outbox rather than straight to the provider: it is
    written in the same transaction as the deletion, so it survives a provider outage or a
    crash, and the outbox job retries it until the provider confirms.
    """
    subscription = await uow.subscriptions.get(user_id)
    await uow.tombstones.add(user_id, now)
    await uow.users.erase(user_id)
    if subscription is None or not subscription.is_cancellable:
        return None
    assert subscription.subscription_id is not None
    message = OutboxMessage(
        id=ids.new_id(),
        kind=CANCEL_SUBSCRIPTION,
        key=f"cancel:{subscription.subscription_id}",
        payload={"subscriptionId": subscription.subscription_id},
        next_attempt_at=now,
        created_at=now,
    )
    return message if await uow.outbox.add(message) else None
