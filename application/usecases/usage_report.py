"""GetUsage: the user's plan, this period's counters, bill and per-server figures (API.md §7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec

from application.ports.clock import Clock
from application.ports.metering import BudgetCaps, UsageMeter
from application.ports.request_logs import LogStatistics
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.metering.gate import period_bounds, period_of
from domain.metering.plans import plan_named
from domain.metering.usage import period_bill
from domain.pagination import PageRequest
from domain.servers import Server

__all__ = ["GetUsage", "ServerUsageLine", "UsageReport"]


class ServerUsageLine(msgspec.Struct, frozen=True, kw_only=True):
    """One of the user's servers this period."""

    server_id: str
    name: str
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None


class UsageReport(msgspec.Struct, frozen=True, kw_only=True):
    """Money in micro-euros; the HTTP view turns it into euros."""

    plan: str
    period_start: datetime
    period_end: datetime
    server_count: int
    active_servers: int
    requests_this_month: int
    included_requests: int
    overage_requests: int
    overage_micro_eur: int
    budget_cap_micro_eur: int | None
    budget_remaining_micro_eur: int | None
    blocked_requests: int
    error_requests: int
    by_server: Sequence[ServerUsageLine]


class GetUsage:
    """Counters come from the meter (what is billed); errors and latency from the logs."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        meter: UsageMeter,
        caps: BudgetCaps,
        statistics: LogStatistics,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._meter = meter
        self._caps = caps
        self._statistics = statistics
        self._clock = clock

    async def __call__(self, user_id: str) -> UsageReport:
        period = period_of(self._clock.now())
        start, end = period_bounds(period)
        async with self._uow(read_only=True) as uow:
            user = await uow.users.get(user_id)
            servers = await _all_servers(uow, user_id)
        plan = plan_named(user.plan if user else "free")
        counts = await self._meter.counts(user_id, period)
        cap = await self._caps.get(user_id)
        bill = period_bill(plan, counts.calls, cap)
        figures = {
            u.server_id: u for u in await self._statistics.usage_by_server(user_id, start, end)
        }
        lines = [
            ServerUsageLine(
                server_id=s.id,
                name=s.name,
                requests=figures[s.id].requests if s.id in figures else 0,
                errors=figures[s.id].errors if s.id in figures else 0,
                p50_ms=figures[s.id].p50_ms if s.id in figures else None,
                p95_ms=figures[s.id].p95_ms if s.id in figures else None,
            )
            for s in servers
        ]
        lines.sort(key=lambda line: (-line.requests, line.name, line.server_id))
        return UsageReport(
            plan=plan.id,
            period_start=start,
            period_end=end,
            server_count=len(servers),
            active_servers=sum(1 for s in servers if s.is_active),
            requests_this_month=counts.calls,
            included_requests=plan.included_calls,
            overage_requests=bill.overage_calls,
            overage_micro_eur=bill.overage_micro_eur,
            budget_cap_micro_eur=cap,
            budget_remaining_micro_eur=bill.budget_remaining_micro_eur,
            blocked_requests=counts.blocked,
            # Every server's errors, those of servers deleted since included.
            error_requests=sum(u.errors for u in figures.values()),
            by_server=lines,
        )


async def _all_servers(uow: UnitOfWork, user_id: str) -> list[Server]:
    found: list[Server] = []
    page = 1
    while True:
        result = await uow.servers.list(user_id, PageRequest(page=page, limit=100))
        found.extend(result.items)
        if not result.has_more:
            return found
        page += 1
