"""SqlRequestLogStore: request log rows in `request_logs`, keyset-paged newest first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.sql.column_types import SortableText, UtcDateTime
from adapters.persistence.sql.dialect_insert import dialect_insert
from adapters.persistence.sql.inline_sqlite import InlineBusy, InlineSqlite
from adapters.persistence.sql.tables import request_logs, users
from domain.logs.log_cursor import LogCursor
from domain.logs.request_log import LogFilter, RequestLog

__all__ = ["SqlRequestLogStore"]

BATCH_ROWS = 500
"""Rows per executemany call (bounds the parameter lists built at once)."""

_c = request_logs.c
_INSERT = sqlite_insert(request_logs).on_conflict_do_nothing(index_elements=["id"])


def _values(row: RequestLog) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in row.__struct_fields__}
    values["request_headers"] = [list(pair) for pair in row.request_headers]
    return values


def _row(record: Any) -> RequestLog:
    values = record._asdict()
    values["request_headers"] = tuple(tuple(pair) for pair in values["request_headers"])
    return RequestLog(**values)


class SqlRequestLogStore:
    """Writes with executemany; reads one index range per page."""

    def __init__(self, engine: AsyncEngine, inline: InlineSqlite | None = None) -> None:
        self._engine = engine
        self._inline = inline

    async def add_many(self, rows: Sequence[RequestLog]) -> None:
        if not rows:
            return
        if self._inline is not None and len(rows) <= BATCH_ROWS:
            # A batch is a few milliseconds of SQLite work at most; inline, the write lock is
            # never held across an await (see InlineSqlite), so the gate's inline count does
            # not find it taken by this process. Locked by another process: go asynchronous.
            try:
                self._inline.execute_many(_INSERT, [_values(r) for r in rows])
            except InlineBusy:
                pass
            else:
                return
        async with self._engine.begin() as connection:
            # A retry after an ambiguous commit must not fail on rows already written.
            insert = dialect_insert(connection, request_logs).on_conflict_do_nothing(
                index_elements=["id"]
            )
            for start in range(0, len(rows), BATCH_ROWS):
                # One statement with a parameter list (asyncpg pipelines it, sqlite3 runs it in
                # one call): a multi-row VALUES built per batch cost about 6x the CPU, most of
                # it constructing and compiling a new statement for every batch size.
                batch = [_values(r) for r in rows[start : start + BATCH_ROWS]]
                await connection.execute(insert, batch)

    async def page(
        self,
        server_id: str,
        where: LogFilter,
        *,
        after: LogCursor | None,
        not_before: datetime,
        limit: int,
    ) -> Sequence[RequestLog]:
        conditions = [_c.server_id == server_id, _c.created_at >= not_before]
        if after is not None:
            conditions.append(
                sa.tuple_(_c.created_at, _c.id)
                < sa.tuple_(
                    sa.literal(after.created_at, UtcDateTime), sa.literal(after.id, SortableText)
                )
            )
        if where.method is not None:
            conditions.append(_c.method == where.method)
        if where.status_code is not None:
            conditions.append(_c.status_code == where.status_code)
        if where.since is not None:
            conditions.append(_c.created_at >= where.since)
        if where.until is not None:
            conditions.append(_c.created_at < where.until)
        if where.tool_name is not None:
            conditions.append(_c.tool_name == where.tool_name)
        statement = (
            sa.select(*[_c[name] for name in RequestLog.__struct_fields__])
            .where(*conditions)
            .order_by(_c.created_at.desc(), _c.id.desc())
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            return [_row(r) for r in await connection.execute(statement)]

    async def purge(self, cutoffs: Mapping[str, datetime], default_cutoff: datetime) -> int:
        removed = 0
        async with self._engine.begin() as connection:
            for plan_id, cutoff in cutoffs.items():
                owners = sa.select(users.c.id).where(users.c.plan == plan_id)
                result = await connection.execute(
                    sa.delete(request_logs).where(_c.created_at < cutoff, _c.owner_id.in_(owners))
                )
                removed += result.rowcount
            known = sa.select(users.c.id).where(users.c.plan.in_(list(cutoffs)))
            result = await connection.execute(
                sa.delete(request_logs).where(
                    _c.created_at < default_cutoff, _c.owner_id.not_in(known)
                )
            )
            return removed + result.rowcount
