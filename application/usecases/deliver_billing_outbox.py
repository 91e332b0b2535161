"""DeliverBillingOutbox: send what the payment provider is owed, until it is delivered."""

from __future__ import annotations

from datetime import datetime

import msgspec

from application.ports.clock import Clock
from application.ports.payments import PaymentGateway
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.billing.outbox import (
    CANCEL_SUBSCRIPTION,
    REPORT_OVERAGE,
    OutboxMessage,
    retry_delay,
)
from domain.errors import DomainError

__all__ = ["DeliverBillingOutbox"]


class DeliverBillingOutbox:
    """At-least-once delivery: a message is marked delivered only after the provider
    accepted it, and every message carries its idempotency key, so a retry after a lost
    answer has no second effect."""

    def __init__(self, uow: UnitOfWorkFactory, gateway: PaymentGateway, clock: Clock) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock

    async def __call__(self, limit: int = 100) -> int:
        """Attempt every due message (at most `limit`); returns how many were delivered."""
        async with self._uow() as uow:
            due = await uow.outbox.due(self._clock.now(), limit)
        delivered = 0
        for message in due:
            delivered += await self.deliver(message)
        return delivered

    async def deliver_by_id(self, message_id: str) -> bool:
        """Attempt one message now (right after it was queued); False when it stays queued."""
        async with self._uow() as uow:
            message = await uow.outbox.get(message_id)
        if message is None or message.delivered_at is not None:
            return False
        return await self.deliver(message)

    async def deliver(self, message: OutboxMessage) -> bool:
        error: str | None = None
        try:
            await self._send(message)
        except DomainError as exc:  # the provider failed: keep the message for a retry
            error = exc.message
        now = self._clock.now()
        async with self._uow() as uow:
            current = await uow.outbox.get(message.id)
            if current is None or current.delivered_at is not None:
                return error is None
            await uow.outbox.save(_after_attempt(current, error, now))
            await uow.commit()
        return error is None

    async def _send(self, message: OutboxMessage) -> None:
        payload = message.payload
        if message.kind == CANCEL_SUBSCRIPTION:
            await self._gateway.cancel_subscription(str(payload["subscriptionId"]))
        elif message.kind == REPORT_OVERAGE:
            await self._gateway.report_overage(
                str(payload["customerId"]),
                int(payload["quantity"]),
                message.key,
                datetime.fromisoformat(str(payload["timestamp"])),
            )
        else:
            raise DomainError(f"unknown outbox message kind {message.kind!r}")


def _after_attempt(message: OutboxMessage, error: str | None, now: datetime) -> OutboxMessage:
    attempts = message.attempts + 1
    if error is None:
        return msgspec.structs.replace(
            message, attempts=attempts, delivered_at=now, last_error=None
        )
    return msgspec.structs.replace(
        message,
        attempts=attempts,
        last_error=error[:500],
        next_attempt_at=now + retry_delay(attempts),
    )
