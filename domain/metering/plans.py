"""Plans and their figures (API.md §7), in one place."""

from __future__ import annotations

import msgspec

__all__ = ["PLANS", "Plan", "plan_named"]


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    """A plan's limits. Money in integer micro-euros; `None` means unlimited or no overage."""

    id: str
    monthly_price_micro_eur: int
    active_servers: int | None
    included_calls: int
    log_retention_days: int
    overage_micro_eur_per_call: int | None

    @property
    def has_overage(self) -> bool:
        return self.overage_micro_eur_per_call is not None


PLANS: dict[str, Plan] = {
    "free": Plan(
        id="free",
        monthly_price_micro_eur=0,
        active_servers=2,
        included_calls=1_000,
        log_retention_days=7,
        overage_micro_eur_per_call=None,
    ),
    "starter": Plan(
        id="starter",
        monthly_price_micro_eur=9_000_000,
        active_servers=10,
        included_calls=50_000,
        log_retention_days=30,
        overage_micro_eur_per_call=50,
    ),
    "pro": Plan(
        id="pro",
        monthly_price_micro_eur=29_000_000,
        active_servers=None,
        included_calls=500_000,
        log_retention_days=90,
        overage_micro_eur_per_call=50,
    ),
}


def plan_named(plan_id: str) -> Plan:
    """The plan with that id; an unknown id falls back to free (never more than paid for)."""
    return PLANS.get(plan_id, PLANS["free"])
