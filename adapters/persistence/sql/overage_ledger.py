"""SqlOverageLedger: usage counters beside the overage already reported."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.sql.dialect_insert import dialect_insert
from adapters.persistence.sql.tables import (
    overage_reports,
    subscriptions,
    usage_counters,
    users,
)
from domain.billing.overage import OverageFigure

__all__ = ["SqlOverageLedger"]


class SqlOverageLedger:
    """Reads the metering gate's counters; writes only the reported figures."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def figures(self, periods: Sequence[str]) -> Sequence[OverageFigure]:
        reported = overage_reports
        statement = (
            sa.select(
                usage_counters.c.user_id,
                usage_counters.c.period,
                users.c.plan,
                usage_counters.c.calls,
                sa.func.coalesce(reported.c.reported_calls, 0).label("reported"),
                subscriptions.c.customer_id,
            )
            .join(users, users.c.id == usage_counters.c.user_id)
            .outerjoin(subscriptions, subscriptions.c.user_id == usage_counters.c.user_id)
            .outerjoin(
                reported,
                (reported.c.user_id == usage_counters.c.user_id)
                & (reported.c.period == usage_counters.c.period),
            )
            .where(usage_counters.c.period.in_(list(periods)))
            .order_by(usage_counters.c.user_id, usage_counters.c.period)
        )
        return [
            OverageFigure(
                user_id=row.user_id,
                period=row.period,
                plan=row.plan,
                calls=int(row.calls),
                reported=int(row.reported),
                customer_id=row.customer_id,
            )
            for row in await self._connection.execute(statement)
        ]

    async def set_reported(self, user_id: str, period: str, reported: int) -> None:
        insert = dialect_insert(self._connection, overage_reports).values(
            user_id=user_id, period=period, reported_calls=reported
        )
        await self._connection.execute(
            insert.on_conflict_do_update(
                index_elements=["user_id", "period"], set_={"reported_calls": reported}
            )
        )
