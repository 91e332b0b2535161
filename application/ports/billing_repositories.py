"""Billing repositories: subscriptions, processed events, tombstones, outbox, overage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.billing.outbox import OutboxMessage
from domain.billing.overage import OverageFigure
from domain.billing.subscriptions import Subscription

__all__ = [
    "OutboxRepository",
    "OverageLedger",
    "ProcessedEventRepository",
    "SubscriptionRepository",
    "TombstoneRepository",
]


class SubscriptionRepository(Protocol):
    """One subscription row per user."""

    async def get(self, user_id: str) -> Subscription | None: ...

    async def lock(self, user_id: str) -> Subscription | None:
        """Read and hold a write lock until the unit of work ends."""

    async def find_user(self, customer_id: str | None, subscription_id: str | None) -> str | None:
        """The user whose row has that customer or that subscription, if any."""

    async def save(self, subscription: Subscription) -> None:
        """Insert or replace by user id."""


class ProcessedEventRepository(Protocol):
    """Provider event ids already applied (written with the event's effects)."""

    async def record(self, provider: str, event_id: str, at: datetime) -> bool:
        """Remember the event; False when it was already there (a replay or a duplicate).

        Concurrent deliveries of one event: exactly one unit of work gets True; the others
        wait for it and get False (a unique constraint, not a read-then-write).
        """


class TombstoneRepository(Protocol):
    """Ids of deleted users: they never come back."""

    async def add(self, user_id: str, at: datetime) -> None: ...

    async def contains(self, user_id: str) -> bool: ...


class OutboxRepository(Protocol):
    """Calls owed to the payment provider, delivered at least once."""

    async def add(self, message: OutboxMessage) -> bool:
        """Insert; False (and nothing written) when a message with that key exists."""

    async def due(self, now: datetime, limit: int) -> Sequence[OutboxMessage]:
        """Undelivered messages whose next attempt is due, oldest first."""

    async def get(self, message_id: str) -> OutboxMessage | None: ...

    async def save(self, message: OutboxMessage) -> None:
        """Replace by id (after an attempt)."""


class OverageLedger(Protocol):
    """Metered calls per user and period, beside the overage already reported."""

    async def figures(self, periods: Sequence[str]) -> Sequence[OverageFigure]:
        """Every user with calls counted in one of `periods`."""

    async def set_reported(self, user_id: str, period: str, reported: int) -> None: ...
