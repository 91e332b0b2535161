"""A period's bill as the plan and the counters make it (API.md §7), in micro-euros."""

from __future__ import annotations

import msgspec

from domain.metering.plans import Plan

__all__ = ["PeriodBill", "period_bill"]


class PeriodBill(msgspec.Struct, frozen=True, kw_only=True):
    """Calls past the included ones, what they cost, and what is left of the cap (None: no cap)."""

    overage_calls: int
    overage_micro_eur: int
    budget_remaining_micro_eur: int | None


def period_bill(plan: Plan, calls: int, cap_micro: int | None) -> PeriodBill:
    """The bill for `calls` allowed calls; a plan without overage never has any."""
    rate = plan.overage_micro_eur_per_call
    overage = max(0, calls - plan.included_calls) if rate is not None else 0
    cost = overage * (rate or 0)
    remaining = None if cap_micro is None else max(0, cap_micro - cost)
    return PeriodBill(
        overage_calls=overage, overage_micro_eur=cost, budget_remaining_micro_eur=remaining
    )
