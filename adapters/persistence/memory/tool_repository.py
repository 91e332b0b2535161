"""MemoryToolRepository: the tools of each server in the unit of work's MemoryTables."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.persistence.conflicts import tool_name_taken
from adapters.persistence.memory.tables import MemoryTables, as_stored, page_of
from domain.pagination import Page, PageRequest
from domain.servers import Tool

__all__ = ["MemoryToolRepository"]


def _tools_of(tables: MemoryTables, server_id: str, active: bool | None) -> list[Tool]:
    tools = [
        t
        for t in tables.tools.values()
        if t.server_id == server_id and (active is None or t.is_active == active)
    ]
    return sorted(tools, key=lambda t: (t.name, t.id))


class MemoryToolRepository:
    """The tools of one server, ordered by name then id (code-point order, like SQL)."""

    def __init__(self, tables: MemoryTables) -> None:
        self._tables = tables

    async def add_many(self, tools: Sequence[Tool]) -> None:
        """Insert all or none. Raises `Conflict` when a name is already used on that server."""
        taken = {(t.server_id, t.name) for t in self._tables.tools.values()}
        for tool in tools:
            if (tool.server_id, tool.name) in taken:
                raise tool_name_taken(tool.name)
            taken.add((tool.server_id, tool.name))
        stored = [
            as_stored(tool) for tool in tools
        ]  # may refuse a naive datetime: before any write
        self._tables.tools.update((tool.id, tool) for tool in stored)

    async def get(self, server_id: str, tool_id: str) -> Tool | None:
        tool = self._tables.tools.get(tool_id)
        return tool if tool is not None and tool.server_id == server_id else None

    async def get_by_name(self, server_id: str, name: str) -> Tool | None:
        return next(
            (t for t in _tools_of(self._tables, server_id, None) if t.name == name),
            None,
        )

    async def list(
        self, server_id: str, page: PageRequest, *, active: bool | None = None
    ) -> Page[Tool]:
        """Ordered by name, then id."""
        return page_of(_tools_of(self._tables, server_id, active), page)

    async def list_all(self, server_id: str, *, active: bool | None = None) -> Sequence[Tool]:
        """Every tool of the server, ordered by name."""
        return _tools_of(self._tables, server_id, active)

    async def count(self, server_id: str, *, active: bool | None = None) -> int:
        return len(_tools_of(self._tables, server_id, active))

    async def update(self, tool: Tool) -> None:
        """Replace by id. Raises `Conflict` when the new name is taken on that server."""
        if await self.get(tool.server_id, tool.id) is None:
            return
        if any(
            other.id != tool.id and other.name == tool.name
            for other in _tools_of(self._tables, tool.server_id, None)
        ):
            raise tool_name_taken(tool.name)
        self._tables.tools[tool.id] = as_stored(tool)

    async def delete_many(self, server_id: str, tool_ids: Sequence[str]) -> None:
        for tool_id in tool_ids:
            if await self.get(server_id, tool_id) is not None:
                del self._tables.tools[tool_id]
