"""TestToolCall: the test route runs a tool exactly as an MCP tools/call would (API.md §4)."""

from __future__ import annotations

from typing import Any

from application.ports.unit_of_work import UnitOfWorkFactory
from application.usecases.call_tool import ToolCallOutcome
from application.usecases.endpoint_catalog import EndpointCatalog
from application.usecases.run_tool_call import RunToolCall
from domain.errors import NotFound

__all__ = ["TestToolCall"]


class TestToolCall:
    """Calls one of the user's tools, inactive ones included, through the same path as MCP."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, uow: UnitOfWorkFactory, catalog: EndpointCatalog, run: RunToolCall) -> None:
        self._uow = uow
        self._catalog = catalog
        self._run = run

    async def __call__(
        self, owner_id: str, server_id: str, tool_name: str, arguments: Any, request_id: str
    ) -> ToolCallOutcome:
        async with self._uow(read_only=True) as uow:
            server = await uow.servers.get(owner_id, server_id)
        if server is None:
            raise NotFound("Server")
        snapshot = await self._catalog.resolve(server.endpoint_id)
        if snapshot is None:
            raise NotFound("Server")
        return await self._run(
            snapshot,
            tool_name,
            arguments,
            source="test",
            request_id=request_id,
            include_inactive=True,
        )
