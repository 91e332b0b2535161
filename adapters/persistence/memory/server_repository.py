"""MemoryServerRepository: hosted servers in the unit of work's MemoryTables."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from adapters.persistence.conflicts import endpoint_taken, slug_taken
from adapters.persistence.memory.tables import MemoryTables, as_stored, newest_first, page_of
from domain.pagination import Page, PageRequest
from domain.servers import Server

__all__ = ["MemoryServerRepository"]


class MemoryServerRepository:
    """Hosted servers, scoped by owner except for the MCP endpoint's lookup."""

    def __init__(self, tables: MemoryTables) -> None:
        self._tables = tables

    async def add(self, server: Server) -> None:
        """Insert. Raises `Conflict` when the owner already has that slug."""
        self._check_unique(server)
        self._tables.servers[server.id] = as_stored(server)

    async def get(self, owner_id: str, server_id: str) -> Server | None:
        server = self._tables.servers.get(server_id)
        return server if server is not None and server.owner_id == owner_id else None

    async def get_by_endpoint(self, endpoint_id: str) -> Server | None:
        return next(
            (s for s in self._tables.servers.values() if s.endpoint_id == endpoint_id), None
        )

    async def list(
        self, owner_id: str, page: PageRequest, *, spec_id: str | None = None
    ) -> Page[Server]:
        """Newest first (created_at, then id, descending)."""
        mine = [
            s
            for s in self._tables.servers.values()
            if s.owner_id == owner_id and (spec_id is None or s.spec_id == spec_id)
        ]
        return page_of(newest_first(mine), page)

    async def list_for_spec(self, owner_id: str, spec_id: str) -> Sequence[Server]:
        """Every server built from the spec, newest first."""
        return newest_first(
            s
            for s in self._tables.servers.values()
            if s.owner_id == owner_id and s.spec_id == spec_id
        )

    async def count_active(self, owner_id: str) -> int:
        return sum(
            1 for s in self._tables.servers.values() if s.owner_id == owner_id and s.is_active
        )

    async def update(self, server: Server) -> None:
        """Replace by id. Raises `Conflict` when the new slug is taken."""
        if await self.get(server.owner_id, server.id) is None:
            return
        self._check_unique(server)
        current = self._tables.servers[server.id]
        self._tables.servers[server.id] = as_stored(
            msgspec.structs.replace(server, revision=current.revision + 1)
        )

    async def touch(self, server_id: str) -> None:
        """Raise the server's revision: its tools or credentials changed."""
        current = self._tables.servers.get(server_id)
        if current is not None:
            self._tables.servers[server_id] = msgspec.structs.replace(
                current, revision=current.revision + 1
            )

    async def delete(self, owner_id: str, server_id: str) -> bool:
        """Remove the server with its tools."""
        if await self.get(owner_id, server_id) is None:
            return False
        self._tables.delete_servers([server_id])
        return True

    def _check_unique(self, server: Server) -> None:
        # The same checks, in the same order, as the SQL adapter's unique constraints.
        for other in self._tables.servers.values():
            if other.id == server.id:
                continue
            if other.owner_id == server.owner_id and other.slug == server.slug:
                raise slug_taken(server.slug)
            if other.endpoint_id == server.endpoint_id:
                raise endpoint_taken()
