"""The memory twins of the SQL billing repositories, over MemoryTables.billing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from adapters.persistence.memory.tables import MemoryTables, as_stored
from domain.billing.outbox import MAX_ATTEMPTS, OutboxMessage
from domain.billing.overage import OverageFigure
from domain.billing.subscriptions import Subscription

__all__ = [
    "MemoryOutboxRepository",
    "MemoryOverageLedger",
    "MemoryProcessedEventRepository",
    "MemorySubscriptionRepository",
    "MemoryTombstoneRepository",
    "UsageCalls",
]

UsageCalls = Callable[[], Mapping[tuple[str, str], int]]
"""Allowed calls per (user, period), read from wherever the memory usage meter keeps them."""


class MemorySubscriptionRepository:
    """One subscription per user."""

    def __init__(self, tables: MemoryTables) -> None:
        self._tables = tables

    async def get(self, user_id: str) -> Subscription | None:
        return self._tables.billing.subscriptions.get(user_id)

    async def lock(self, user_id: str) -> Subscription | None:
        """Units of work already run one at a time: that is the lock."""
        return self._tables.billing.subscriptions.get(user_id)

    async def find_user(self, customer_id: str | None, subscription_id: str | None) -> str | None:
        rows = list(self._tables.billing.subscriptions.values())
        if customer_id is not None:
            found = next((s.user_id for s in rows if s.customer_id == customer_id), None)
            if found is not None:
                return found
        if subscription_id is not None:
            return next((s.user_id for s in rows if s.subscription_id == subscription_id), None)
        return None

    async def save(self, subscription: Subscription) -> None:
        self._tables.billing.subscriptions[subscription.user_id] = as_stored(subscription)


class MemoryProcessedEventRepository:
    """Event ids by provider."""

    def __init__(self, tables: MemoryTables) -> None:
        self._tables = tables

    async def record(self, provider: str, event_id: str, at: datetime) -> bool:
        seen = self._tables.billing.processed_events
        if (provider, event_id) in seen:
            return False
        seen[(provider, event_id)] = at
        return True


class MemoryTombstoneRepository:
    """Deleted user ids."""

    def __init__(self, tables: MemoryTables) -> None:
        self._tables = tables

    async def add(self, user_id: str, at: datetime) -> None:
        self._tables.billing.tombstones.setdefault(user_id, at)

    async def contains(self, user_id: str) -> bool:
        return user_id in self._tables.billing.tombstones


class MemoryOutboxRepository:
    """The outbox, unique by key like the SQL table."""

    def __init__(self, tables: MemoryTables) -> None:
        self._tables = tables

    async def add(self, message: OutboxMessage) -> bool:
        outbox = self._tables.billing.outbox
        if any(m.key == message.key for m in outbox.values()):
            return False
        outbox[message.id] = as_stored(message)
        return True

    async def due(self, now: datetime, limit: int) -> Sequence[OutboxMessage]:
        due = [
            m
            for m in self._tables.billing.outbox.values()
            if m.delivered_at is None and m.next_attempt_at <= now and m.attempts < MAX_ATTEMPTS
        ]
        return sorted(due, key=lambda m: (m.next_attempt_at, m.id))[:limit]

    async def get(self, message_id: str) -> OutboxMessage | None:
        return self._tables.billing.outbox.get(message_id)

    async def save(self, message: OutboxMessage) -> None:
        if message.id in self._tables.billing.outbox:
            self._tables.billing.outbox[message.id] = as_stored(message)


class MemoryOverageLedger:
    """Calls come from `usage_calls` (the memory usage meter's counters)."""

    def __init__(self, tables: MemoryTables, usage_calls: UsageCalls) -> None:
        self._tables = tables
        self._usage_calls = usage_calls

    async def figures(self, periods: Sequence[str]) -> Sequence[OverageFigure]:
        billing = self._tables.billing
        figures = []
        for (user_id, period), calls in sorted(self._usage_calls().items()):
            user = self._tables.users.get(user_id)
            if period not in periods or user is None:
                continue
            subscription = billing.subscriptions.get(user_id)
            figures.append(
                OverageFigure(
                    user_id=user_id,
                    period=period,
                    plan=user.plan,
                    calls=calls,
                    reported=billing.overage_reports.get((user_id, period), 0),
                    customer_id=subscription.customer_id if subscription else None,
                )
            )
        return figures

    async def set_reported(self, user_id: str, period: str, reported: int) -> None:
        self._tables.billing.overage_reports[(user_id, period)] = reported
