"""SqlBudgetCaps: each user's cap on overage in `budget_caps` (no row: no cap)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.sql.tables import budget_caps

__all__ = ["SqlBudgetCaps"]


class SqlBudgetCaps:
    """Reads and writes caps in their own short transactions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, user_id: str) -> int | None:
        statement = sa.select(budget_caps.c.cap_micro_eur).where(budget_caps.c.user_id == user_id)
        async with self._engine.connect() as connection:
            value = (await connection.execute(statement)).scalar_one_or_none()
        return None if value is None else int(value)

    async def set(self, user_id: str, cap_micro: int | None) -> None:
        async with self._engine.begin() as connection:
            if cap_micro is None:
                await connection.execute(
                    sa.delete(budget_caps).where(budget_caps.c.user_id == user_id)
                )
                return
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            insert = dialect.insert(budget_caps).values(user_id=user_id, cap_micro_eur=cap_micro)
            await connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[budget_caps.c.user_id], set_={"cap_micro_eur": cap_micro}
                )
            )
