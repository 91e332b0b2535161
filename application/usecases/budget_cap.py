"""GetBudgetCap and SetBudgetCap: the user's cap on overage spending (API.md §7)."""

from __future__ import annotations

from application.ports.metering import BudgetCaps

__all__ = ["GetBudgetCap", "SetBudgetCap"]


class GetBudgetCap:
    """The user's cap in micro-euros, None when there is none."""

    def __init__(self, caps: BudgetCaps) -> None:
        self._caps = caps

    async def __call__(self, user_id: str) -> int | None:
        return await self._caps.get(user_id)


class SetBudgetCap:
    """Store the cap (None removes it); the very next metered call is judged by it."""

    def __init__(self, caps: BudgetCaps) -> None:
        self._caps = caps

    async def __call__(self, user_id: str, cap_micro: int | None) -> int | None:
        await self._caps.set(user_id, cap_micro)
        return cap_micro
