"""PurgeExpiredLogs: delete log rows older than their owner's plan keeps them (API.md §6)."""

from __future__ import annotations

from datetime import timedelta

from application.ports.clock import Clock
from application.ports.request_logs import RequestLogStore
from domain.metering.plans import PLANS, plan_named

__all__ = ["PurgeExpiredLogs"]


class PurgeExpiredLogs:
    """Run by `specmcp serve` every hour; returns how many rows went."""

    def __init__(self, store: RequestLogStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def __call__(self) -> int:
        now = self._clock.now()
        cutoffs = {
            plan_id: now - timedelta(days=plan.log_retention_days)
            for plan_id, plan in PLANS.items()
        }
        # An unknown plan is treated as free everywhere (plan_named), so here too.
        default = now - timedelta(days=plan_named("").log_retention_days)
        return await self._store.purge(cutoffs, default)
