"""OutboxMessage: a call owed to the payment provider, kept until it is delivered."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

__all__ = ["CANCEL_SUBSCRIPTION", "MAX_ATTEMPTS", "REPORT_OVERAGE", "OutboxMessage", "retry_delay"]

CANCEL_SUBSCRIPTION = "cancel_subscription"
REPORT_OVERAGE = "report_overage"

# About two days of retries with the backoff below: long enough to outlast a provider outage,
# short enough that a message that can never succeed stops being retried.
MAX_ATTEMPTS = 25


class OutboxMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One delivery owed. `key` is unique and is also the provider's idempotency key, so a
    message delivered twice (at-least-once) has one effect."""

    id: str
    kind: str
    key: str
    payload: dict[str, Any]
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str | None = None
    delivered_at: datetime | None = None
    created_at: datetime


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after `attempts` failures: 10 s doubling, at most 2 h."""
    return timedelta(seconds=min(10 * 2 ** max(0, attempts - 1), 7200))
