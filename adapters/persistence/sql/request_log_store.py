"""SqlRequestLogStore: request log rows in `request_logs`, keyset-paged newest first."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.sql.column_types import SortableText, UtcDateTime
from adapters.persistence.sql.driver_statement import DriverStatement
from adapters.persistence.sql.inline_sqlite import InlineBusy, InlineSqlite
from adapters.persistence.sql.postgres_driver_pool import PostgresDriverPool
from adapters.persistence.sql.tables import request_logs, users
from domain.logs.log_cursor import LogCursor
from domain.logs.request_log import LogFilter, RequestLog

__all__ = ["SqlRequestLogStore"]

BATCH_ROWS = 500
"""Rows per executemany call (bounds the parameter lists built at once)."""
INLINE_ROWS = 100
"""SQLite: rows per inline transaction (1-2 ms of SQLite work; the event loop runs between)."""
INLINE_BUSY_RETRIES_S = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05)
"""SQLite: waits before writing inline again when another process holds the write lock."""
CHECKPOINT_EVERY_S = 1.0
"""SQLite: how often, at most, the WAL is checkpointed after inline writes (see add_many)."""

_c = request_logs.c


class _DriverInsert:
    """The batch INSERT compiled once for a dialect, and the driver's values for each row.

    A batch goes to the driver as one executemany (asyncpg pipelines it, sqlite3 runs it in
    one call). Each value goes through its column type's bind processor for this dialect (the
    timestamp, the headers' JSON), exactly what SQLAlchemy would send, without SQLAlchemy's
    per-row parameter handling. A retry after an ambiguous commit must not fail on rows
    already written: ON CONFLICT DO NOTHING.
    """

    def __init__(self, dialect: Dialect) -> None:
        insert = (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(
            request_logs
        ).on_conflict_do_nothing(index_elements=["id"])
        compiled = DriverStatement.compile(insert, dialect)
        self.sql = compiled.sql
        self._values = attrgetter(*compiled.names)
        self._processors = [
            (index, processor)
            for index, name in enumerate(compiled.names)
            if (processor := _c[name].type.dialect_impl(dialect).bind_processor(dialect))
        ]

    def rows(self, logs: Sequence[RequestLog]) -> list[tuple[Any, ...]]:
        values_of, processors = self._values, self._processors
        rows = []
        for log in logs:
            values = list(values_of(log))
            for index, processor in processors:
                values[index] = processor(values[index])
            rows.append(tuple(values))
        return rows


def _row(record: Any) -> RequestLog:
    values = record._asdict()
    values["request_headers"] = tuple(tuple(pair) for pair in values["request_headers"])
    return RequestLog(**values)


class SqlRequestLogStore:
    """Writes with executemany; reads one index range per page.

    With `inline` (a file SQLite database) batches are written on the event loop's thread
    (see `InlineSqlite`); with `pool` (PostgreSQL), each as one autocommitted executemany on
    the driver (see `PostgresDriverPool`).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        inline: InlineSqlite | None = None,
        pool: PostgresDriverPool | None = None,
    ) -> None:
        self._engine = engine
        self._inline = inline
        self._pool = pool
        # The engine's dialect: its JSON serializer is the one every other write uses.
        self._insert = _DriverInsert(engine.dialect)
        self._checkpointed_at = 0.0

    async def add_many(self, rows: Sequence[RequestLog]) -> None:
        if not rows:
            return
        if self._inline is not None:
            written = await self._add_inline(self._inline, rows)
            if written:
                await self._checkpoint(self._inline)
            if written == len(rows):
                return
            rows = rows[written:]  # locked by another process all along: go asynchronous
        if self._pool is not None:
            # Each part commits alone: after a failure the sink writes the rows again, and the
            # parts already written are skipped (ON CONFLICT DO NOTHING).
            for start in range(0, len(rows), BATCH_ROWS):
                batch = self._insert.rows(rows[start : start + BATCH_ROWS])
                await self._pool.execute_many(self._insert.sql, batch)
            return
        async with self._engine.begin() as connection:
            for start in range(0, len(rows), BATCH_ROWS):
                # One statement with a parameter list: a multi-row VALUES built per batch cost
                # about 6x the CPU, most of it constructing and compiling a new statement for
                # every batch size; SQLAlchemy's per-row parameter handling cost ~2x more.
                batch = self._insert.rows(rows[start : start + BATCH_ROWS])
                await connection.exec_driver_sql(self._insert.sql, batch)

    async def _add_inline(self, inline: InlineSqlite, rows: Sequence[RequestLog]) -> int:
        """Write rows on the event loop's thread, INLINE_ROWS per transaction; how many were.

        Inline, the write lock is never held across an await (see InlineSqlite), so the
        meter's inline statements do not find it taken by this process. The asynchronous path
        holds it from BEGIN to COMMIT across several hops to aiosqlite's thread: under load
        every admission made meanwhile found the database locked and went asynchronous too,
        whose statements then locked out the next ones (measured: 20 users, server-bound,
        12,000 admissions sent the slow way in 10 s, 1.0 instead of 0.31 ms of CPU per call).
        So every batch is written here, however large (the sink hands over all that waited),
        with a turn for the event loop between transactions, and a locked database (another
        process writing) is tried again a few times before the rest goes asynchronous.
        """
        done, retries = 0, iter(INLINE_BUSY_RETRIES_S)
        while done < len(rows):
            part = rows[done : done + INLINE_ROWS]
            try:
                inline.execute_many(self._insert.sql, self._insert.rows(part))
            except InlineBusy:
                delay = next(retries, None)
                if delay is None:
                    return done
                await asyncio.sleep(delay)
                continue
            done += len(part)
            if done < len(rows):
                await asyncio.sleep(0)
        return done

    async def _checkpoint(self, inline: InlineSqlite) -> None:
        """Copy the WAL back into the database file now and then, off the event loop.

        The inline connections never checkpoint (it syncs the file), and with the meter and
        the logs both inline nothing else may write for an hour: the WAL then grew by ~8 KB
        per call (158 MB after 20,000 calls). A PASSIVE checkpoint never waits for or blocks
        readers and writers; SQLite reuses the WAL from its start once it is fully copied.
        It runs on a worker thread on a plain `sqlite3` connection: through the async engine
        (aiosqlite's hops, the pool, SQLAlchemy's execution) it cost ~1.3 ms of the event
        loop's CPU per checkpoint, as much as the checkpoint itself on its thread.
        """
        now = time.monotonic()
        if now - self._checkpointed_at < CHECKPOINT_EVERY_S:
            return
        self._checkpointed_at = now
        await asyncio.to_thread(inline.checkpoint)

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
