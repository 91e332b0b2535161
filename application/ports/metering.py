"""Metering ports: the atomic check-and-count of metered calls, and the budget caps."""

from __future__ import annotations

from typing import Protocol

import msgspec

__all__ = ["Admission", "BudgetCaps", "UsageCounts", "UsageMeter"]


class Admission(msgspec.Struct, frozen=True, kw_only=True):
    """The meter's verdict on one call.

    `reason` is `monthly_quota`, `budget_cap` or `plan_limit` when refused. `calls` is the
    period's count of allowed calls after this one; `limit` the most the period allows (None:
    unlimited); `plan` the plan the verdict was made under; for `plan_limit`, the plan's
    active-server limit and the user's active servers.
    """

    allowed: bool
    reason: str | None = None
    calls: int
    limit: int | None
    plan: str
    server_limit: int | None = None
    active_servers: int = 0


class UsageCounts(msgspec.Struct, frozen=True):
    """A user's counters for one period: allowed calls and refused ones."""

    calls: int = 0
    blocked: int = 0


class UsageMeter(Protocol):
    """Check and count as one atomic step on the shared store (API.md §7).

    Under any concurrency, across connections, processes and instances, the number of allowed
    calls of a (user, period) never passes `allowed_calls(plan, cap)`, not even by one.
    """

    async def admit(self, user_id: str, server_id: str, period: str) -> Admission:
        """Count one call of `server_id` if the owner's plan, cap and counter allow it.

        Reads the user's plan and budget cap at the moment of the call. A refused call is not
        counted; the period's `blocked` counter goes up instead. A server past the plan's
        active-server limit (the oldest active servers are the ones within it) is refused with
        reason `plan_limit`.
        """

    async def counts(self, user_id: str, period: str) -> UsageCounts: ...

    async def seed(self, user_id: str, period: str, counts: UsageCounts) -> None:
        """Set a period's counters (operations: carrying counts over, and tests)."""


class BudgetCaps(Protocol):
    """Each user's budget cap on overage, in micro-euros (absent: no cap)."""

    async def get(self, user_id: str) -> int | None: ...

    async def set(self, user_id: str, cap_micro: int | None) -> None:
        """Store the cap (None removes it); the next metered call is judged by it."""
