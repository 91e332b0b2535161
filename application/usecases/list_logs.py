"""ListLogs: a server's request logs, newest first, by keyset cursor (API.md §6)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import msgspec

from application.ports.clock import Clock
from application.ports.request_logs import RequestLogStore
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import FieldProblem, InvalidRequest, NotFound
from domain.logs.log_cursor import LogCursor
from domain.logs.request_log import LogFilter, RequestLog
from domain.metering.plans import plan_named

__all__ = ["ListLogs", "LogPage"]

MAX_LIMIT = 200


class LogPage(msgspec.Struct, frozen=True):
    """One page of rows; `cursor` continues after its last row (None on the last page)."""

    items: Sequence[RequestLog]
    cursor: str | None
    limit: int
    has_more: bool


class ListLogs:
    """Rows of one of the user's servers, within the plan's retention, matching every filter."""

    def __init__(self, uow: UnitOfWorkFactory, store: RequestLogStore, clock: Clock) -> None:
        self._uow = uow
        self._store = store
        self._clock = clock

    async def __call__(
        self, owner_id: str, server_id: str, where: LogFilter, cursor: str | None, limit: int
    ) -> LogPage:
        """Raises:
        InvalidRequest: a limit outside 1..200 or a cursor this API did not make.
        NotFound: no such server for this user.
        """
        problems = []
        if not 1 <= limit <= MAX_LIMIT:
            problems.append(FieldProblem(("limit",), f"must be between 1 and {MAX_LIMIT}"))
        after = None
        if cursor:
            try:
                after = LogCursor.decode(cursor)
            except ValueError:
                problems.append(FieldProblem(("cursor",), "is not a cursor of this list"))
        if problems:
            raise InvalidRequest("Invalid log query.", problems)
        async with self._uow(read_only=True) as uow:
            server = await uow.servers.get(owner_id, server_id)
            user = await uow.users.get(owner_id)
        if server is None:
            raise NotFound("Server")
        retention = plan_named(user.plan if user else "free").log_retention_days
        # Rows past retention are never listed, even before the purge job removes them.
        not_before = self._clock.now() - timedelta(days=retention)
        rows = await self._store.page(
            server_id, where, after=after, not_before=not_before, limit=limit + 1
        )
        items, has_more = rows[:limit], len(rows) > limit
        next_cursor = LogCursor(items[-1].created_at, items[-1].id).encode() if has_more else None
        return LogPage(items=items, cursor=next_cursor, limit=limit, has_more=has_more)
