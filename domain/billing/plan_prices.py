"""PlanPrices: which provider price sells which plan."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

__all__ = ["PlanPrices"]


class PlanPrices(msgspec.Struct, frozen=True):
    """Plan id to provider price id, for the paid plans that can be bought."""

    by_plan: Mapping[str, str]

    def price_of(self, plan_id: str) -> str | None:
        return self.by_plan.get(plan_id)

    def plan_of(self, price_id: str | None) -> str | None:
        """The plan a price stands for; None for a price we do not sell (or none at all)."""
        return next((plan for plan, price in self.by_plan.items() if price == price_id), None)
