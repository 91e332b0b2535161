"""SqlEndpointDirectory: a server by endpoint id in one autocommit statement (inline on SQLite)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.sql.inline_sqlite import InlineBusy, InlineSqlite
from adapters.persistence.sql.server_repository import server_from_row
from adapters.persistence.sql.tables import servers
from domain.servers import Server

__all__ = ["SqlEndpointDirectory"]

_BY_ENDPOINT = sa.select(servers).where(servers.c.endpoint_id == sa.bindparam("endpoint_id"))


class SqlEndpointDirectory:
    """The per-call server lookup: on a file SQLite database it runs inline (no thread hop),
    falling back to the engine when the database is busy; elsewhere one pooled statement."""

    def __init__(self, engine: AsyncEngine, inline: InlineSqlite | None = None) -> None:
        self._engine = engine
        self._inline = inline

    async def server_for_endpoint(self, endpoint_id: str) -> Server | None:
        parameters = {"endpoint_id": endpoint_id}
        if self._inline is not None:
            try:
                row = self._inline.first(_BY_ENDPOINT, parameters)
            except InlineBusy:
                pass
            else:
                return None if row is None else server_from_row(row)
        async with self._engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            row = (await connection.execute(_BY_ENDPOINT, parameters)).first()
        return None if row is None else server_from_row(row)
