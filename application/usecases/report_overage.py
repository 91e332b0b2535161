"""ReportOverage: queue each period's new overage calls for the payment provider."""

from __future__ import annotations

from datetime import datetime, timedelta

from application.ports.clock import Clock, IdGenerator
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.billing.outbox import REPORT_OVERAGE, OutboxMessage
from domain.billing.overage import overage_calls
from domain.metering.gate import period_bounds, period_of
from domain.metering.plans import plan_named

__all__ = ["ReportOverage"]


class ReportOverage:
    """Compares each user's overage (calls past the included quota) with the figure already
    reported and queues the difference, in one transaction with the new figure.

    The queued message's key, `overage:{customer}:{period}:{total}`, is the meter event's
    identifier: whatever the number of deliveries, the provider counts each range once.
    The previous period is looked at too, so calls of a month's last minutes are not lost.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def __call__(self) -> int:
        """Queue what is due; returns how many messages were queued."""
        now = self._clock.now()
        current = period_of(now)
        previous = period_of(period_bounds(current)[0] - timedelta(seconds=1))
        queued = 0
        async with self._uow() as uow:
            for figure in await uow.overage.figures([previous, current]):
                owed = overage_calls(plan_named(figure.plan), figure.calls)
                if figure.customer_id is None or owed <= figure.reported:
                    continue
                message = OutboxMessage(
                    id=self._ids.new_id(),
                    kind=REPORT_OVERAGE,
                    key=f"overage:{figure.customer_id}:{figure.period}:{owed}",
                    payload={
                        "customerId": figure.customer_id,
                        "quantity": owed - figure.reported,
                        "timestamp": _event_time(figure.period, now).isoformat(),
                    },
                    next_attempt_at=now,
                    created_at=now,
                )
                queued += await uow.outbox.add(message)
                await uow.overage.set_reported(figure.user_id, figure.period, owed)
            await uow.commit()
        return queued


def _event_time(period: str, now: datetime) -> datetime:
    # Calls of a past period are billed in that period: the meter event carries its last second.
    end = period_bounds(period)[1]
    return min(now, end - timedelta(seconds=1))
