"""SqlLogStatistics: per-server usage figures by aggregate queries over `request_logs`.

Percentiles are nearest-rank (the smallest value with at least p of the rows at or below it):
`percentile_disc` on PostgreSQL, one `ORDER BY ... LIMIT 1 OFFSET ceil(p*n)-1` per server and
percentile on SQLite, which has no ordered-set aggregates.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.persistence.sql.tables import request_logs
from application.ports.request_logs import ServerUsage

__all__ = ["SqlLogStatistics"]

_c = request_logs.c
_ALLOWED = _c.blocked.is_(False)


def _rank_offset(percent: int, n: int) -> int:
    return -(-percent * n // 100) - 1


class SqlLogStatistics:
    """Aggregates run in the database; no row is loaded into Python."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def usage_by_server(
        self, owner_id: str, since: datetime, until: datetime
    ) -> Sequence[ServerUsage]:
        in_range = (_c.owner_id == owner_id, _c.created_at >= since, _c.created_at < until)
        columns = [
            _c.server_id,
            sa.func.sum(sa.case((_ALLOWED, 1), else_=0)).label("requests"),
            sa.func.sum(sa.case((sa.and_(_ALLOWED, _c.is_error.is_(True)), 1), else_=0)).label(
                "errors"
            ),
        ]
        async with self._engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                columns += [
                    sa.func.percentile_disc(p / 100)
                    .within_group(_c.duration_ms)
                    .filter(_ALLOWED)
                    .label(f"p{p}")
                    for p in (50, 95)
                ]
            statement = sa.select(*columns).where(*in_range).group_by(_c.server_id)
            rows = (await connection.execute(statement)).all()
            found = []
            for row in rows:
                requests, errors = int(row.requests or 0), int(row.errors or 0)
                if postgres:
                    p50, p95 = row.p50, row.p95
                else:
                    p50 = await _nearest_rank(connection, row.server_id, in_range, 50, requests)
                    p95 = await _nearest_rank(connection, row.server_id, in_range, 95, requests)
                found.append(
                    ServerUsage(
                        server_id=row.server_id,
                        requests=requests,
                        errors=errors,
                        p50_ms=None if p50 is None else float(p50),
                        p95_ms=None if p95 is None else float(p95),
                    )
                )
            return found


async def _nearest_rank(
    connection: AsyncConnection,
    server_id: str,
    in_range: tuple[sa.ColumnElement[bool], ...],
    percent: int,
    n: int,
) -> float | None:
    if n == 0:
        return None
    statement = (
        sa.select(_c.duration_ms)
        .where(*in_range, _c.server_id == server_id, _ALLOWED)
        .order_by(_c.duration_ms)
        .limit(1)
        .offset(_rank_offset(percent, n))
    )
    value = (await connection.execute(statement)).scalar_one_or_none()
    return None if value is None else float(value)
