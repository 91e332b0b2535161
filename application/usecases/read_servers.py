"""GetServer and ListServers, with each server's tool counts."""

from __future__ import annotations

import msgspec

from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.errors import NotFound
from domain.pagination import Page, PageRequest
from domain.servers import Server

__all__ = ["GetServer", "ListServers", "ServerSummary", "summarise"]


class ServerSummary(msgspec.Struct, frozen=True):
    """A server with how many tools it has and how many are active."""

    server: Server
    tool_count: int
    active_tool_count: int


async def summarise(uow: UnitOfWork, server: Server) -> ServerSummary:
    """The server with its tool counts, read in the caller's unit of work."""
    total = await uow.tools.count(server.id)
    active = await uow.tools.count(server.id, active=True)
    return ServerSummary(server, total, active)


class GetServer:
    """One of the user's servers; another user's is not found."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, owner_id: str, server_id: str) -> ServerSummary:
        async with self._uow(read_only=True) as uow:
            server = await uow.servers.get(owner_id, server_id)
            if server is None:
                raise NotFound("Server")
            return await summarise(uow, server)


class ListServers:
    """A page of the user's servers, newest first; of one spec when `spec_id` is given."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self, owner_id: str, page: PageRequest, spec_id: str | None = None
    ) -> Page[ServerSummary]:
        async with self._uow(read_only=True) as uow:
            if spec_id is not None and await uow.specs.get(owner_id, spec_id) is None:
                raise NotFound("Spec")
            result = await uow.servers.list(owner_id, page, spec_id=spec_id)
            items = [await summarise(uow, s) for s in result.items]
        return Page(items=items, total=result.total, page=result.page, limit=result.limit)
