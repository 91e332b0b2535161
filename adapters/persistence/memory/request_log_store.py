"""MemoryRequestLogStore: request log rows in a list, with the SQL adapter's order and figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from adapters.persistence.memory.tables import as_stored
from adapters.persistence.memory.unit_of_work import MemoryUnitOfWorkFactory
from application.ports.request_logs import ServerUsage
from domain.logs.log_cursor import LogCursor
from domain.logs.request_log import LogFilter, RequestLog

__all__ = ["MemoryRequestLogStore"]


class MemoryRequestLogStore:
    """Also the memory LogStatistics; owners' plans come from the memory unit of work."""

    def __init__(self, uow: MemoryUnitOfWorkFactory) -> None:
        self._uow = uow
        self.rows: dict[str, RequestLog] = {}

    async def add_many(self, rows: Sequence[RequestLog]) -> None:
        for row in rows:
            self.rows[row.id] = as_stored(row)

    async def page(
        self,
        server_id: str,
        where: LogFilter,
        *,
        after: LogCursor | None,
        not_before: datetime,
        limit: int,
    ) -> Sequence[RequestLog]:
        found = [
            r
            for r in self.rows.values()
            if r.server_id == server_id
            and r.created_at >= not_before
            and where.matches(r)
            and (after is None or (r.created_at, r.id) < (after.created_at, after.id))
        ]
        found.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        return found[:limit]

    async def purge(self, cutoffs: Mapping[str, datetime], default_cutoff: datetime) -> int:
        users = self._uow.committed.users
        doomed = []
        for row in self.rows.values():
            owner = users.get(row.owner_id)
            cutoff = cutoffs.get(owner.plan, default_cutoff) if owner else default_cutoff
            if row.created_at < cutoff:
                doomed.append(row.id)
        for row_id in doomed:
            del self.rows[row_id]
        return len(doomed)

    async def usage_by_server(
        self, owner_id: str, since: datetime, until: datetime
    ) -> Sequence[ServerUsage]:
        by_server: dict[str, list[RequestLog]] = {}
        for row in self.rows.values():
            if row.owner_id == owner_id and since <= row.created_at < until:
                by_server.setdefault(row.server_id, []).append(row)
        figures = []
        for server_id, rows in by_server.items():
            allowed = sorted(r.duration_ms for r in rows if not r.blocked)
            figures.append(
                ServerUsage(
                    server_id=server_id,
                    requests=len(allowed),
                    errors=sum(1 for r in rows if r.is_error and not r.blocked),
                    p50_ms=_nearest_rank(allowed, 50),
                    p95_ms=_nearest_rank(allowed, 95),
                )
            )
        return figures


def _nearest_rank(ordered: list[float], percent: int) -> float | None:
    if not ordered:
        return None
    return ordered[-(-percent * len(ordered) // 100) - 1]
