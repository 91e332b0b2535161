"""MemoryUsageMeter and MemoryBudgetCaps: the metering ports over one process's memory.

Check and count run without an await between them, so they are one step on the event loop.
Plans and servers are read from the memory unit of work's committed state.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.persistence.memory.unit_of_work import MemoryUnitOfWorkFactory
from application.ports.metering import Admission, UsageCounts
from domain.metering.gate import allowed_calls, refusal_reason
from domain.metering.plans import Plan, plan_named

__all__ = ["MemoryBudgetCaps", "MemoryUsageMeter"]


class MemoryBudgetCaps:
    """Caps in a dict (no entry: no cap)."""

    def __init__(self) -> None:
        self.caps: dict[str, int] = {}

    async def get(self, user_id: str) -> int | None:
        return self.caps.get(user_id)

    async def set(self, user_id: str, cap_micro: int | None) -> None:
        if cap_micro is None:
            self.caps.pop(user_id, None)
        else:
            self.caps[user_id] = cap_micro


class MemoryUsageMeter:
    """Counters in a dict keyed by (user, period); same rules as SqlUsageMeter."""

    def __init__(
        self,
        uow: MemoryUnitOfWorkFactory,
        caps: MemoryBudgetCaps,
        plans: Callable[[str], Plan] = plan_named,
    ) -> None:
        self._uow = uow
        self._caps = caps
        self._plans = plans
        self._counts: dict[tuple[str, str], UsageCounts] = {}

    async def admit(self, user_id: str, server_id: str, period: str) -> Admission:
        state = self._uow.committed
        user = state.users.get(user_id)
        plan = self._plans(user.plan if user else "free")
        current = self._counts.get((user_id, period), UsageCounts())
        active = [s for s in state.servers.values() if s.owner_id == user_id and s.is_active]
        if plan.active_servers is not None and len(active) > plan.active_servers:
            this = state.servers.get(server_id)
            rank = sum(
                1
                for s in active
                if this is not None and (s.created_at, s.id) < (this.created_at, this.id)
            )
            if rank >= plan.active_servers:
                self._counts[(user_id, period)] = UsageCounts(current.calls, current.blocked + 1)
                return Admission(
                    allowed=False,
                    reason="plan_limit",
                    calls=current.calls,
                    limit=None,
                    plan=plan.id,
                    server_limit=plan.active_servers,
                    active_servers=len(active),
                )
        limit = allowed_calls(plan, self._caps.caps.get(user_id))
        if limit is None or current.calls < limit:
            self._counts[(user_id, period)] = UsageCounts(current.calls + 1, current.blocked)
            return Admission(allowed=True, calls=current.calls + 1, limit=limit, plan=plan.id)
        self._counts[(user_id, period)] = UsageCounts(current.calls, current.blocked + 1)
        return Admission(
            allowed=False,
            reason=refusal_reason(plan),
            calls=current.calls,
            limit=limit,
            plan=plan.id,
        )

    async def counts(self, user_id: str, period: str) -> UsageCounts:
        return self._counts.get((user_id, period), UsageCounts())

    async def seed(self, user_id: str, period: str, counts: UsageCounts) -> None:
        self._counts[(user_id, period)] = counts
