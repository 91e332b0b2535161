"""Overage owed for a period, and the part not yet reported to the payment provider."""

from __future__ import annotations

import msgspec

from domain.metering.plans import Plan

__all__ = ["OverageFigure", "overage_calls"]


class OverageFigure(msgspec.Struct, frozen=True, kw_only=True):
    """A user's calls in one period, and the overage already reported for it."""

    user_id: str
    period: str
    plan: str
    calls: int
    reported: int
    customer_id: str | None


def overage_calls(plan: Plan, calls: int) -> int:
    """Calls past the plan's included quota that are billed (none on a plan without overage)."""
    if not plan.has_overage:
        return 0
    return max(0, calls - plan.included_calls)
