"""SqlEndpointDirectory: a server by endpoint id in one autocommit statement (inline on SQLite).

On SQLite the statement runs on the driver, on the inline connection the meter and the request
logs use too (`InlineSqlite`). One connection matters: in WAL mode a connection drops its
whole page cache whenever another connection has committed since its last statement, so a
lookup on a connection of its own re-read every page after each metered call's commit (with
SQLAlchemy on top: about 220 us of CPU per lookup in the served process, against about 4 us for
the statement alone on a connection whose cache stays warm).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.sql.driver_statement import DriverColumns, DriverStatement
from adapters.persistence.sql.inline_sqlite import InlineBusy, InlineSqlite
from adapters.persistence.sql.server_repository import server_from_row
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
    falling back to the engine when the database is busy; elsewhere one pooled statement."""

    def __init__(self, engine: AsyncEngine, inline: InlineSqlite | None = None) -> None:
        self._engine = engine
        self._inline = inline
        if inline is not None:  # the statement and its row for the driver, made once
            self._driver_sql = DriverStatement.compile(_BY_ENDPOINT, engine.dialect)
            self._columns = DriverColumns.of(_BY_ENDPOINT.selected_columns, engine.dialect)
            self._revision_sql = DriverStatement.compile(_REVISION, engine.dialect)
            self._revision_columns = DriverColumns.of(_REVISION.selected_columns, engine.dialect)

    async def server_for_endpoint(self, endpoint_id: str) -> Server | None:
        parameters = {"endpoint_id": endpoint_id}
        if self._inline is not None:
            try:
                found = self._inline.fetch_one(
                    self._driver_sql.sql, self._driver_sql.arguments(parameters)
                )
            except InlineBusy:
                pass
            else:
                return None if found is None else Server(**self._columns.mapping(found))
        async with self._engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            row = (await connection.execute(_BY_ENDPOINT, parameters)).first()
        return None if row is None else server_from_row(row)

    async def revision_of_endpoint(self, endpoint_id: str) -> tuple[str, int] | None:
        parameters = {"endpoint_id": endpoint_id}
        if self._inline is not None:
            try:
                found = self._inline.fetch_one(
                    self._revision_sql.sql, self._revision_sql.arguments(parameters)
                )
            except InlineBusy:
                pass
            else:
                if found is None:
                    return None
                values = self._revision_columns.mapping(found)
                return values["id"], values["revision"]
        async with self._engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            row = (await connection.execute(_REVISION, parameters)).first()
        return None if row is None else (row.id, row.revision)
