"""BillingTables: the memory adapter's billing rows (subscriptions, events, outbox...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.billing.outbox import OutboxMessage
from domain.billing.subscriptions import Subscription

__all__ = ["BillingTables"]


@dataclass
class BillingTables:
    """Part of one MemoryTables state; rows are immutable, so copying the dicts copies it."""

    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    processed_events: dict[tuple[str, str], datetime] = field(default_factory=dict)
    tombstones: dict[str, datetime] = field(default_factory=dict)
    outbox: dict[str, OutboxMessage] = field(default_factory=dict)
    overage_reports: dict[tuple[str, str], int] = field(default_factory=dict)

    def copy(self) -> BillingTables:
        return BillingTables(
            dict(self.subscriptions),
            dict(self.processed_events),
            dict(self.tombstones),
            dict(self.outbox),
            dict(self.overage_reports),
        )

    def erase_user(self, user_id: str) -> None:
        """Drop the user's rows (the tombstone stays; the outbox has no user rows)."""
        self.subscriptions.pop(user_id, None)
        self.overage_reports = {
            key: value for key, value in self.overage_reports.items() if key[0] != user_id
        }
