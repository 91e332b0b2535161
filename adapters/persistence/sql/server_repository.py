"""SqlServerRepository: hosted servers in the `servers` table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.conflicts import endpoint_taken, slug_taken
from adapters.persistence.sql.constraint_errors import conflicts_translated
from adapters.persistence.sql.tables import SERVER_ENDPOINT_UNIQUE, SERVER_SLUG_UNIQUE, servers
from domain.errors import Conflict
from domain.pagination import Page, PageRequest
from domain.servers import Server

__all__ = ["SqlServerRepository", "server_from_row"]

_NEWEST_FIRST = (servers.c.created_at.desc(), servers.c.id.desc())


def _conflicts(server: Server) -> dict[str, Conflict]:
    return {SERVER_SLUG_UNIQUE: slug_taken(server.slug), SERVER_ENDPOINT_UNIQUE: endpoint_taken()}


def server_from_row(row: sa.Row[Any]) -> Server:
    """The domain server of a `servers` row."""
    return Server(**row._asdict())


class SqlServerRepository:
    """Hosted servers on the unit of work's connection, owner-scoped but for the endpoint."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, server: Server) -> None:
        """Insert. Raises `Conflict` when the owner already has that slug."""
        async with conflicts_translated(self._connection, _conflicts(server)):
            await self._connection.execute(
                sa.insert(servers).values(msgspec.structs.asdict(server))
            )

    async def get(self, owner_id: str, server_id: str) -> Server | None:
        return await self._first(
            sa.select(servers).where(servers.c.owner_id == owner_id, servers.c.id == server_id)
        )

    async def get_by_endpoint(self, endpoint_id: str) -> Server | None:
        return await self._first(sa.select(servers).where(servers.c.endpoint_id == endpoint_id))

    async def list(
        self, owner_id: str, page: PageRequest, *, spec_id: str | None = None
    ) -> Page[Server]:
        """Newest first (created_at, then id, descending)."""
        conditions = [servers.c.owner_id == owner_id]
        if spec_id is not None:
            conditions.append(servers.c.spec_id == spec_id)
        total = await self._connection.scalar(
            sa.select(sa.func.count()).select_from(servers).where(*conditions)
        )
        rows = await self._connection.execute(
            sa.select(servers)
            .where(*conditions)
            .order_by(*_NEWEST_FIRST)
            .limit(page.limit)
            .offset(page.offset)
        )
        return Page(
            items=[server_from_row(row) for row in rows],
            total=total or 0,
            page=page.page,
            limit=page.limit,
        )

    async def list_for_spec(self, owner_id: str, spec_id: str) -> Sequence[Server]:
        """Every server built from the spec, newest first."""
        rows = await self._connection.execute(
            sa.select(servers)
            .where(servers.c.owner_id == owner_id, servers.c.spec_id == spec_id)
            .order_by(*_NEWEST_FIRST)
        )
        return [server_from_row(row) for row in rows]

    async def count_active(self, owner_id: str) -> int:
        total = await self._connection.scalar(
            sa.select(sa.func.count())
            .select_from(servers)
            .where(servers.c.owner_id == owner_id, servers.c.is_active)
        )
        return total or 0

    async def update(self, server: Server) -> None:
        """Replace by id. Raises `Conflict` when the new slug is taken."""
        values = msgspec.structs.asdict(server)
        del values["id"], values["owner_id"]
        values["revision"] = servers.c.revision + 1
        async with conflicts_translated(self._connection, _conflicts(server)):
            await self._connection.execute(
                sa.update(servers)
                .where(servers.c.id == server.id, servers.c.owner_id == server.owner_id)
                .values(values)
            )

    async def touch(self, server_id: str) -> None:
        """Raise the server's revision: its tools or credentials changed."""
        await self._connection.execute(
            sa.update(servers)
            .where(servers.c.id == server_id)
            .values(revision=servers.c.revision + 1)
        )

    async def delete(self, owner_id: str, server_id: str) -> bool:
        """Remove the server; its tools go by ON DELETE CASCADE."""
        result = await self._connection.execute(
            sa.delete(servers).where(servers.c.owner_id == owner_id, servers.c.id == server_id)
        )
        return result.rowcount > 0

    async def _first(self, statement: sa.Select[Any]) -> Server | None:
        row = (await self._connection.execute(statement)).first()
        return None if row is None else server_from_row(row)
