"""SqlEndpointDirectory: a server by endpoint id in one autocommit statement (inline on SQLite).

On SQLite the statement runs on the driver, on the inline connection the meter and the request
logs use too (`InlineSqlite`). One connection matters: in WAL mode a connection drops its
whole page cache whenever another connection has committed since its last statement, so a
lookup on a connection of its own re-read every page after each metered call's commit (with
SQLAlchemy on top: about 220 us of CPU per lookup in the served process, against about 4 us for
the statement alone on a connection whose cache stays warm).

On PostgreSQL it runs on the driver too, on a small asyncpg pool of its own
(`PostgresDriverPool`): through the engine (pool checkout, SQLAlchemy's execution, the greenlet
bridge) a lookup cost about 300 us of CPU. Concurrent calls of one endpoint share a lookup
(`CoalescedLookup`), so with a few busy servers that hardly showed; with calls spread over 20
servers (20 users, server-bound) every call made its own, and a call cost 0.75 ms of CPU
instead of 0.40.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.sql.driver_statement import DriverColumns, DriverStatement
from adapters.persistence.sql.inline_sqlite import InlineBusy, InlineSqlite
from adapters.persistence.sql.postgres_driver_pool import PostgresDriverPool
from adapters.persistence.sql.tables import servers
from domain.servers import Server

__all__ = ["SqlEndpointDirectory"]

_BY_ENDPOINT = sa.select(servers).where(servers.c.endpoint_id == sa.bindparam("endpoint_id"))
# Two narrow columns: about a third of the whole row's cost on the inline path (no JSON or
# timestamps to decode), and what a caller holding the row needs to know it is still current.
_REVISION = sa.select(servers.c.id, servers.c.revision).where(
    servers.c.endpoint_id == sa.bindparam("endpoint_id")
)


class SqlEndpointDirectory:
    """The per-call server lookup: on a file SQLite database it runs inline (no thread hop),
    falling back to the engine when the database is busy; with `pool` (PostgreSQL) on asyncpg
    directly; elsewhere one statement through the engine."""

    def __init__(
        self,
        engine: AsyncEngine,
        inline: InlineSqlite | None = None,
        pool: PostgresDriverPool | None = None,
    ) -> None:
        self._by_endpoint = _Lookup(_BY_ENDPOINT, engine, inline, pool)
        self._revision = _Lookup(_REVISION, engine, inline, pool)

    async def server_for_endpoint(self, endpoint_id: str) -> Server | None:
        values = await self._by_endpoint.row(endpoint_id)
        return None if values is None else Server(**values)

    async def revision_of_endpoint(self, endpoint_id: str) -> tuple[str, int] | None:
        values = await self._revision.row(endpoint_id)
        return None if values is None else (values["id"], values["revision"])


class _Lookup:
    """One select by endpoint id: on the driver (driver SQL and row made once) inline on a
    file SQLite database or on PostgreSQL's pool; through the engine when SQLite is busy or
    on other databases."""

    def __init__(
        self,
        statement: sa.Select[Any],
        engine: AsyncEngine,
        inline: InlineSqlite | None,
        pool: PostgresDriverPool | None,
    ):
        self._statement = statement
        self._engine = engine
        self._inline = inline
        self._pool = pool
        self._driver_sql = DriverStatement.compile(statement, engine.dialect)
        self._columns = DriverColumns.of(statement.selected_columns, engine.dialect)

    async def row(self, endpoint_id: str) -> dict[str, Any] | None:
        """The row as {column: value} (through the column types), or None."""
        parameters = {"endpoint_id": endpoint_id}
        if self._pool is not None:
            record = await self._pool.fetch_row(
                self._driver_sql.sql, *self._driver_sql.arguments(parameters)
            )
            return None if record is None else self._columns.mapping(record)
        if self._inline is not None:
            try:
                found = self._inline.fetch_one(
                    self._driver_sql.sql, self._driver_sql.arguments(parameters)
                )
            except InlineBusy:
                pass
            else:
                return None if found is None else self._columns.mapping(found)
        async with self._engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            row = (await connection.execute(self._statement, parameters)).first()
        return None if row is None else row._asdict()
