"""ApplyPaymentEvent: a verified payment event changes a subscription and the user's plan."""

from __future__ import annotations

import msgspec

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.billing.payment_events import PaymentEvent
from domain.billing.plan_prices import PlanPrices
from domain.billing.subscription_rules import next_subscription
from domain.billing.subscriptions import Subscription

__all__ = ["PAYMENT_PROVIDER", "ApplyPaymentEvent"]

PAYMENT_PROVIDER = "stripe"


class ApplyPaymentEvent:
    """Applies one event exactly once: its id is recorded in the same transaction as its
    effects, so a replay or a concurrent duplicate changes nothing (API.md §9)."""

    def __init__(self, uow: UnitOfWorkFactory, prices: PlanPrices, clock: Clock) -> None:
        self._uow = uow
        self._prices = prices
        self._clock = clock

    async def __call__(self, event: PaymentEvent) -> bool:
        """Apply `event`; False when it had been applied before."""
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.processed_events.record(PAYMENT_PROVIDER, event.id, now):
                return False
            if event.is_handled:
                await self._apply(uow, event)
            await uow.commit()
        return True

    async def _apply(self, uow: UnitOfWork, event: PaymentEvent) -> None:
        user_id = event.user_id or await uow.subscriptions.find_user(
            event.customer_id, event.subscription_id
        )
        # Events about unknown or deleted users are recorded and otherwise ignored: a late
        # event must not bring a deleted account back.
        if user_id is None or await uow.tombstones.contains(user_id):
            return
        user = await uow.users.lock(user_id)
        if user is None:
            return
        now = self._clock.now()
        current = await uow.subscriptions.lock(user_id) or Subscription(
            user_id=user_id, updated_at=now
        )
        changed = next_subscription(current, event, self._prices.plan_of, now)
        if changed is None:
            return
        await uow.subscriptions.save(changed)
        if changed.effective_plan != user.plan:
            await uow.users.update(
                msgspec.structs.replace(user, plan=changed.effective_plan, updated_at=now)
            )
