"""SqlToolRepository: the tools of each server in the `tools` table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.conflicts import tool_name_taken
from adapters.persistence.sql.constraint_errors import conflicts_translated, violated_constraint
from adapters.persistence.sql.tables import TOOL_NAME_UNIQUE, tools
from domain.pagination import Page, PageRequest
from domain.servers import Tool

__all__ = ["SqlToolRepository"]

_BY_NAME = (tools.c.name, tools.c.id)


def _conditions(server_id: str, active: bool | None) -> list[sa.ColumnElement[bool]]:
    conditions = [tools.c.server_id == server_id]
    if active is not None:
        conditions.append(tools.c.is_active == active)
    return conditions


def _tool(row: sa.Row[Any]) -> Tool:
    return Tool(**row._asdict())


class SqlToolRepository:
    """The tools of one server, on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add_many(self, new_tools: Sequence[Tool]) -> None:
        """Insert. Raises `Conflict` when a name is already used on that server."""
        if not new_tools:
            return
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(
                    sa.insert(tools), [msgspec.structs.asdict(tool) for tool in new_tools]
                )
        except IntegrityError as error:
            if violated_constraint(error) != TOOL_NAME_UNIQUE:
                raise
            # The savepoint is rolled back, so the culprit can be looked up to name it.
            raise tool_name_taken(await self._first_taken_name(new_tools)) from error

    async def get(self, server_id: str, tool_id: str) -> Tool | None:
        return await self._first(
            sa.select(tools).where(tools.c.server_id == server_id, tools.c.id == tool_id)
        )

    async def get_by_name(self, server_id: str, name: str) -> Tool | None:
        return await self._first(
            sa.select(tools).where(tools.c.server_id == server_id, tools.c.name == name)
        )

    async def list(
        self, server_id: str, page: PageRequest, *, active: bool | None = None
    ) -> Page[Tool]:
        """Ordered by name, then id."""
        conditions = _conditions(server_id, active)
        total = await self._connection.scalar(
            sa.select(sa.func.count()).select_from(tools).where(*conditions)
        )
        rows = await self._connection.execute(
            sa.select(tools)
            .where(*conditions)
            .order_by(*_BY_NAME)
            .limit(page.limit)
            .offset(page.offset)
        )
        return Page(
            items=[_tool(row) for row in rows], total=total or 0, page=page.page, limit=page.limit
        )

    async def list_all(self, server_id: str, *, active: bool | None = None) -> Sequence[Tool]:
        """Every tool of the server, ordered by name."""
        rows = await self._connection.execute(
            sa.select(tools).where(*_conditions(server_id, active)).order_by(*_BY_NAME)
        )
        return [_tool(row) for row in rows]

    async def count(self, server_id: str, *, active: bool | None = None) -> int:
        total = await self._connection.scalar(
            sa.select(sa.func.count()).select_from(tools).where(*_conditions(server_id, active))
        )
        return total or 0

    async def update(self, tool: Tool) -> None:
        """Replace by id. Raises `Conflict` when the new name is taken on that server."""
        values = msgspec.structs.asdict(tool)
        del values["id"], values["server_id"]
        messages = {TOOL_NAME_UNIQUE: tool_name_taken(tool.name)}
        async with conflicts_translated(self._connection, messages):
            await self._connection.execute(
                sa.update(tools)
                .where(tools.c.id == tool.id, tools.c.server_id == tool.server_id)
                .values(values)
            )

    async def delete_many(self, server_id: str, tool_ids: Sequence[str]) -> None:
        if tool_ids:
            await self._connection.execute(
                sa.delete(tools).where(tools.c.server_id == server_id, tools.c.id.in_(tool_ids))
            )

    async def _first(self, statement: sa.Select[Any]) -> Tool | None:
        row = (await self._connection.execute(statement)).first()
        return None if row is None else _tool(row)

    async def _first_taken_name(self, new_tools: Sequence[Tool]) -> str:
        """The first name, in input order, repeated in the batch or already on its server."""
        wanted = {(tool.server_id, tool.name) for tool in new_tools}
        rows = await self._connection.execute(
            sa.select(tools.c.server_id, tools.c.name).where(
                sa.tuple_(tools.c.server_id, tools.c.name).in_(wanted)
            )
        )
        seen: set[tuple[str, str]] = {(row.server_id, row.name) for row in rows}
        for tool in new_tools:
            if (tool.server_id, tool.name) in seen:
                return tool.name
            seen.add((tool.server_id, tool.name))
        return new_tools[0].name  # unreachable unless the row was removed meanwhile
