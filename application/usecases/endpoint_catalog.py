"""EndpointCatalog: what a hosted endpoint serves, cached per process and never stale.

Every lookup reads the server's revision (one indexed query; the whole row only when it
changed, where the directory can tell); its row, tools and credentials are reused while the
server's `revision` is unchanged. Any change to the server, a tool or a credential
raises the revision in the same transaction, so a deleted credential or a rotated token is
never used again, by this process or any other.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime

import msgspec

from application.ports.endpoint_directory import EndpointDirectory
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.credentials import Credential
from domain.openapi.tools import Routing
from domain.servers import Server, Tool

__all__ = ["EndpointCatalog", "EndpointSnapshot", "ToolEntry"]


class ToolEntry(msgspec.Struct, frozen=True):
    """A tool with its routing record decoded once."""

    tool: Tool
    routing: Routing
    validator_key: str


class EndpointSnapshot(msgspec.Struct, frozen=True):
    """A server as of one revision: its tools by name and its credentials, newest first."""

    server: Server
    tools: Mapping[str, ToolEntry]
    active_tools: tuple[Tool, ...]
    credentials: tuple[Credential, ...]

    def credential_for(self, auth_type: str, now: datetime) -> Credential | None:
        """The newest unexpired credential of that type (API.md §5)."""
        return next(
            (c for c in self.credentials if c.auth_type == auth_type and c.usable_at(now)), None
        )


def _entries(tools: Sequence[Tool]) -> dict[str, ToolEntry]:
    return {
        t.name: ToolEntry(
            tool=t,
            routing=msgspec.convert(t.routing, Routing),
            validator_key=f"{t.id}:{t.updated_at.isoformat()}",
        )
        for t in tools
    }


class EndpointCatalog:
    """Resolves endpoint ids to snapshots; keeps at most `max_entries` snapshots (LRU).

    The server row is read through `directory` when given (the adapter's fastest read),
    otherwise through a read-only unit of work.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        max_entries: int = 10_000,
        directory: EndpointDirectory | None = None,
    ) -> None:
        self._uow = uow
        self._max = max_entries
        self._directory = directory
        self._snapshots: OrderedDict[str, EndpointSnapshot] = OrderedDict()

    async def _server(self, endpoint_id: str) -> Server | None:
        if self._directory is not None:
            return await self._directory.server_for_endpoint(endpoint_id)
        async with self._uow(read_only=True) as uow:
            return await uow.servers.get_by_endpoint(endpoint_id)

    async def resolve(self, endpoint_id: str) -> EndpointSnapshot | None:
        """The endpoint's current snapshot, or None for an unknown endpoint."""
        cached = self._snapshots.get(endpoint_id)
        if cached is not None and self._directory is not None:
            stamp = await self._directory.revision_of_endpoint(endpoint_id)
            if stamp == (cached.server.id, cached.server.revision):
                self._snapshots.move_to_end(endpoint_id)
                return cached
            if stamp is None:
                self._snapshots.pop(endpoint_id, None)
                return None
        server = await self._server(endpoint_id)
        if server is None:
            self._snapshots.pop(endpoint_id, None)
            return None
        cached = self._snapshots.get(endpoint_id)
        if (
            cached is not None
            and cached.server.revision == server.revision
            and cached.server.id == server.id
        ):
            self._snapshots.move_to_end(endpoint_id)
            return cached
        # Read after the server row: a change in between raises the revision again, so the
        # next call reloads; a snapshot never holds older tools or credentials than its label.
        async with self._uow(read_only=True) as uow:
            tools = await uow.tools.list_all(server.id)
            credentials = await uow.credentials.list(server.id)
        snapshot = EndpointSnapshot(
            server=server,
            tools=_entries(tools),
            active_tools=tuple(t for t in tools if t.is_active),
            credentials=tuple(credentials),
        )
        self._snapshots[endpoint_id] = snapshot
        self._snapshots.move_to_end(endpoint_id)
        while len(self._snapshots) > self._max:
            self._snapshots.popitem(last=False)
        return snapshot
