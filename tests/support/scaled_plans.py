"""Plans with figures small enough to count to in a test (the real PLANS are left alone)."""

from __future__ import annotations

from domain.metering.plans import Plan, plan_named

__all__ = ["scaled_plan"]


def scaled_plan(plan_id: str, included: int, rate: int | None, servers: int | None) -> Plan:
    """The plan `plan_id` resolves to, with these included calls, overage rate (micro-euros
    per call, None: no overage) and active-server limit (None: unlimited)."""
    base = plan_named(plan_id)
    return Plan(
        id=base.id,
        monthly_price_micro_eur=base.monthly_price_micro_eur,
        active_servers=servers,
        included_calls=included,
        log_retention_days=base.log_retention_days,
        overage_micro_eur_per_call=rate,
    )
